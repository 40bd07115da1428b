"""The scheduler as an MCP server (the official `mcp` SDK), for AI agents and their clients.

    SCHEDULER_API_TOKEN=sched_pat_… python manage.py mcp_server            # stdio (Claude Desktop, etc.)

Every tool acts as the personal API token's user in its workspace (developer/mcp_tools.py): read
tools need any token, tools that change posts need a read-and-write token and the editor role. The
tools call the same services as the API, the web app and the admin. docs/mcp.md shows the set-up."""

from asgiref.sync import sync_to_async
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from . import mcp_tools

INSTRUCTIONS = (
    "A social media scheduler. list_accounts first: it gives the account ids and each network's limits. "
    "validate_draft checks a text on each account with the network's own rules before you create it. "
    "create_post makes a draft, schedules it (scheduled_time, ISO 8601 with an offset) or adds it to a "
    "queue's next free slot (queue_id). Times come back in UTC."
)


def build_server(raw_token: str) -> MCPServer:
    session = mcp_tools.Session(raw_token)
    server = MCPServer(name="scheduler", instructions=INSTRUCTIONS)

    async def call(function, *args, **kwargs):
        try:
            return await sync_to_async(function, thread_sensitive=True)(session, *args, **kwargs)
        except mcp_tools.ToolRefused as exc:
            raise ToolError(str(exc)) from None

    @server.tool(description="The workspace's connected accounts with their ids, networks and content limits.")
    async def list_accounts() -> dict:
        return await call(mcp_tools.list_accounts)

    @server.tool(description="Check a text on each account with that network's own rules (length counted its way, links, hashtags). custom_content maps an account id to its own text.")
    async def validate_draft(content: str, account_ids: list[int], custom_content: dict[str, str] | None = None) -> dict:
        return await call(mcp_tools.validate, content, account_ids, custom_content)

    @server.tool(description="Create a post for the accounts: a draft, scheduled at scheduled_time (ISO 8601 with offset), or added to queue_id's next free slot. Refused with the reasons when a network would reject it.")
    async def create_post(content: str, account_ids: list[int], scheduled_time: str | None = None, queue_id: int | None = None, custom_content: dict[str, str] | None = None) -> dict:
        return await call(mcp_tools.create_post, content, account_ids, scheduled_time, queue_id, custom_content)

    @server.tool(description="One post with its status and each account's outcome (status, error, link).")
    async def get_post(post_id: int) -> dict:
        return await call(mcp_tools.get_post, post_id)

    @server.tool(description="Posts scheduled, queued or being published, soonest first.")
    async def list_upcoming(limit: int = 20) -> dict:
        return await call(mcp_tools.list_upcoming, limit)

    @server.tool(description="Posts that failed, are unconfirmed, or went out only partly, newest first.")
    async def list_failed(limit: int = 20) -> dict:
        return await call(mcp_tools.list_failed, limit)

    @server.tool(description="Send a failed or unconfirmed target (one account of a post) again now.")
    async def retry_target(target_id: int) -> dict:
        return await call(mcp_tools.retry_target, target_id)

    @server.tool(description="Cancel a scheduled post (every account that has not gone out yet).")
    async def cancel_post(post_id: int) -> dict:
        return await call(mcp_tools.cancel_post, post_id)

    @server.tool(description="Engagement totals, per network and per account, for posts published between since and until (ISO 8601).")
    async def get_analytics(since: str | None = None, until: str | None = None) -> dict:
        return await call(mcp_tools.analytics, since, until)

    return server
