"""The sweeper repairs what crashes leave behind:

* a target dispatched but never claimed (the broker lost the message, or the worker that held it died
  before its ETA) is handed out again; a duplicate message is harmless because the claim is a CAS;
* a target stuck in `publishing` (its worker died mid-publish) is settled by asking the network,
  exactly as a timed-out publish is: found -> posted, not there -> retried, unknown -> retried only
  where the network is idempotent, else `unconfirmed`.

A claim is only treated as stuck after it is older than the task's hard time limit, so a worker that is
still alive has always been stopped before the sweeper touches its target.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from social_media.models import PublishAttempt, PostTarget, Status
from social_media.platforms.base import OutcomeUnknown

from .posts import post_refresh_status
from .publishing import _settle_unknown

@dataclass
class SweepReport:
    redispatched: int = 0
    reconciled: int = 0


def stuck_after_seconds():
    return max(settings.PUBLISH_STUCK_AFTER_SECONDS, settings.CELERY_TASK_TIME_LIMIT + 30)


def sweep(*, now=None):
    now = now or timezone.now()
    report = SweepReport()
    lost_before = now - timedelta(seconds=settings.PUBLISH_LOST_DISPATCH_SECONDS)
    report.redispatched = PostTarget.objects.filter(
        status=Status.SCHEDULED, dispatched_at__isnull=False, next_attempt_at__lt=lost_before, dispatched_at__lt=lost_before
    ).update(dispatched_at=None)

    stuck_before = now - timedelta(seconds=stuck_after_seconds())
    for target_id in PostTarget.objects.filter(status=Status.PUBLISHING, claimed_at__lt=stuck_before).values_list("id", flat=True):
        # Re-claim the stuck row by CAS on its old claim time, so two sweepers never settle it twice.
        target = PostTarget.objects.select_related("post", "account").get(id=target_id)
        if not PostTarget.objects.filter(id=target_id, status=Status.PUBLISHING, claimed_at=target.claimed_at).update(claimed_at=now):
            continue
        attempt = (
            PublishAttempt.objects.filter(target=target, finished_at__isnull=True).order_by("-attempt_number").first()
            or PublishAttempt.objects.create(target=target, attempt_number=target.retry_count, started_at=now)
        )
        _settle_unknown(target, attempt, OutcomeUnknown("The worker publishing this post stopped before it finished."))
        post_refresh_status(post=target.post)
        report.reconciled += 1
    return report
