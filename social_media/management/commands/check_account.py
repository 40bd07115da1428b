from django.core.management.base import BaseCommand, CommandError

from social_media.models import ConnectedAccount
from social_media.platforms.base import PlatformError
from social_media.services.tokens import account_check


class Command(BaseCommand):
    help = "Verify an account's credentials with its network and print the limits read from it."

    def add_arguments(self, parser):
        parser.add_argument("account_id", type=int)

    def handle(self, *args, account_id, **options):
        account = ConnectedAccount.objects.filter(id=account_id).first()
        if account is None:
            raise CommandError(f"No account {account_id}.")
        try:
            profile = account_check(account=account)
        except PlatformError as exc:
            raise CommandError(f"{account}: {exc.__class__.__name__}: {exc.message}")
        self.stdout.write(f"{account}: credentials ok (user id {profile.platform_user_id}, @{profile.platform_username})")
        for key, value in sorted(account.platform_settings.items()):
            self.stdout.write(f"  {key}: {value}")
