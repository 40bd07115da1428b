import os

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the scheduler's MCP tools over stdio, as the personal API token in SCHEDULER_API_TOKEN (docs/mcp.md)."

    def handle(self, *args, **options):
        from developer.authentication import TOKEN_PREFIX
        from developer.mcp_server import build_server

        raw = os.environ.get("SCHEDULER_API_TOKEN", "").strip()
        if not raw.startswith(TOKEN_PREFIX):
            raise CommandError(f"Set SCHEDULER_API_TOKEN to a personal API token ({TOKEN_PREFIX}…); create one at POST /api/v1/auth/tokens/.")
        build_server(raw).run("stdio")
