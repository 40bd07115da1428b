from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from feeds import services
from feeds.models import FeedSubscription


class Command(BaseCommand):
    help = "Poll feed subscriptions now, in this process: the given ids, or (--due) every active one whose time has come."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="Subscription ids.")
        parser.add_argument("--due", action="store_true", help="Every active subscription due now.")

    def handle(self, *args, ids, due, **options):
        if not ids and not due:
            raise CommandError("Name subscription ids, or --due.")
        subscriptions = FeedSubscription.objects.filter(pk__in=ids) if ids else FeedSubscription.objects.none()
        if due:
            subscriptions |= FeedSubscription.objects.filter(is_active=True, next_poll_at__lte=timezone.now())
        missing = set(ids) - set(subscriptions.values_list("pk", flat=True))
        if missing:
            raise CommandError(f"No feed subscription with id {', '.join(map(str, sorted(missing)))}.")
        posts = errors = 0
        for subscription in subscriptions.order_by("id"):
            result = services.poll(subscription_id=subscription.pk)
            posts += result.posts_created
            errors += result.status == "error"
            detail = result.error or f"{result.posts_created} post(s), {result.skipped_existing} existing item(s) skipped"
            self.stdout.write(f"{subscription.pk} {subscription.url}: {result.status}, {detail}")
        self.stdout.write(self.style.SUCCESS(f"Polled {subscriptions.count()} feed(s): {posts} post(s) created, {errors} error(s)."))
