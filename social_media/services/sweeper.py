"""The sweeper repairs what crashes leave behind:

* a target dispatched but never claimed (the broker lost the message, or the worker that held it died
  before its ETA) is handed out again; a duplicate message is harmless because the claim is a CAS;
* a target stuck in `publishing` (its worker died mid-publish) is settled by asking the network,
  exactly as a timed-out publish is: found -> posted, not there -> retried, unknown -> retried only
  where the network is idempotent, else `unconfirmed`.

A worker touches the heartbeat of every target it is publishing every PUBLISH_HEARTBEAT_SECONDS, for
as long as the network call (or a long video upload) takes. Only a target whose heartbeat is older
than PUBLISH_STUCK_AFTER_SECONDS is treated as stuck: its worker is gone.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from social_media.models import PublishAttempt, PostTarget, Status, without_secrets
from social_media.platforms.base import OutcomeUnknown

from .posts import post_refresh_status
from .publishing import settle_unknown
from .unpublishing import sweep_deletes

@dataclass
class SweepReport:
    redispatched: int = 0
    reconciled: int = 0


def stuck_after_seconds():
    """Never less than three missed heartbeats."""
    return max(settings.PUBLISH_STUCK_AFTER_SECONDS, 3 * settings.PUBLISH_HEARTBEAT_SECONDS)


def sweep(*, now=None):
    now = now or timezone.now()
    report = SweepReport()
    lost_before = now - timedelta(seconds=settings.PUBLISH_LOST_DISPATCH_SECONDS)
    report.redispatched = PostTarget.objects.filter(
        status=Status.SCHEDULED, dispatched_at__isnull=False, next_attempt_at__lt=lost_before, dispatched_at__lt=lost_before
    ).update(dispatched_at=None)

    stuck_before = now - timedelta(seconds=stuck_after_seconds())
    report.redispatched += sweep_deletes(now=now, lost_before=lost_before, stuck_before=stuck_before)
    stale = PostTarget.objects.filter(status=Status.PUBLISHING).filter(
        Q(heartbeat_at__lt=stuck_before) | Q(heartbeat_at__isnull=True, claimed_at__lt=stuck_before)
    )
    for target_id in stale.values_list("id", flat=True):
        # Take the stuck row by CAS on its old heartbeat, so two sweepers never settle it twice.
        target = without_secrets(PostTarget.objects.select_related("post", "account"), "account").get(id=target_id)
        if not PostTarget.objects.filter(id=target_id, status=Status.PUBLISHING, heartbeat_at=target.heartbeat_at).update(heartbeat_at=now):
            continue
        attempt = (
            PublishAttempt.objects.filter(target=target, finished_at__isnull=True).order_by("-attempt_number").first()
            or PublishAttempt.objects.create(target=target, attempt_number=target.retry_count, started_at=now)
        )
        settle_unknown(target, attempt, OutcomeUnknown("The worker publishing this post stopped before it finished."))
        post_refresh_status(post=target.post)
        report.reconciled += 1
    return report
