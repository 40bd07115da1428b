from django.core.management.base import BaseCommand, CommandError

from analytics.collectors import collect_due_account_metrics, collect_due_metrics, collect_target_metrics
from social_media.models import PostTarget
from social_media.platforms.base import RateLimited, TransientError


class Command(BaseCommand):
    help = (
        "Collect engagement metrics now, in this process: of one posted target (--target ID), else one "
        "pass over the targets whose metrics are due; --accounts: the day's followers of every account "
        "without them. Prints a one-line summary."
    )

    def add_arguments(self, parser):
        parser.add_argument("--target", type=int, dest="target_id", help="id of one posted target")
        parser.add_argument("--limit", type=int, default=1000, help="most due targets to collect in one pass")
        parser.add_argument("--accounts", action="store_true", help="read today's followers of every account instead")

    def handle(self, *args, target_id=None, limit=1000, accounts=False, **options):
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        if accounts:
            read = collect_due_account_metrics(inline=True)
            self.stdout.write(f"read the followers of {read} account{'' if read == 1 else 's'}")
            return
        if target_id is None:
            collected = collect_due_metrics(limit=limit, inline=True)
            self.stdout.write(f"collected metrics of {collected} due target{'' if collected == 1 else 's'}")
            return
        if not PostTarget.objects.filter(id=target_id).exists():
            raise CommandError(f"No target {target_id}.")
        try:
            analytics = collect_target_metrics(target_id=target_id)
        except (RateLimited, TransientError) as exc:
            raise CommandError(f"target {target_id}: not collected, try again later ({exc.message})") from exc
        if analytics is None:
            self.stdout.write(f"target {target_id}: nothing collected (not posted, account disconnected, or the network refused)")
            return
        figures = ", ".join(f"{name} {getattr(analytics, name)}" for name in ("likes", "reposts", "replies", "impressions", "clicks"))
        self.stdout.write(f"target {target_id}: {figures}")
