from django.core.management.base import BaseCommand, CommandError

from social_media.models import PostTarget, Status
from social_media.services.publishing import target_publish, targets_make_due_now


class Command(BaseCommand):
    help = "Publish one target now, in this process (it must be scheduled); prints the outcome."

    def add_arguments(self, parser):
        parser.add_argument("target_id", type=int)

    def handle(self, *args, target_id, **options):
        target = PostTarget.objects.filter(id=target_id).first()
        if target is None:
            raise CommandError(f"No target {target_id}.")
        if target.status != Status.SCHEDULED:
            raise CommandError(f"Target {target_id} is {target.status}; only scheduled targets can be published.")
        targets_make_due_now(target_ids=[target_id], enqueue=False)
        outcome = target_publish(target_id=target_id)
        if outcome is None:
            raise CommandError(f"Target {target_id} was claimed by someone else.")
        target.refresh_from_db()
        self.stdout.write(f"target {target_id}: {outcome.status}" + (f" {target.platform_post_url}" if target.platform_post_url else "") + (f" ({outcome.message})" if outcome.message else ""))
