from datetime import timedelta

from django.core.management.base import BaseCommand

from social_media.services.tokens import refresh_expiring_tokens


class Command(BaseCommand):
    help = "Refresh the tokens of accounts whose access token expires within --days (default 7)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=float, default=7.0)

    def handle(self, *args, days, **options):
        refreshed, disconnected, transient = refresh_expiring_tokens(within=timedelta(days=days))
        self.stdout.write(f"refreshed {refreshed}; need reconnect {disconnected}; failed transiently (will retry) {transient}")
