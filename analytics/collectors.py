"""Engagement-metrics collection, the write side of analytics: read a posted target's figures from its
network, keep the latest in PostAnalytics and append one AnalyticsSnapshot per reading.

Targets are read on a decaying schedule after they went out (CHECKPOINTS: about 1 h, 6 h, 1 d, 3 d and
7 d after posted_at) and never once COLLECTION_WINDOW has passed. A target is due when the latest
checkpoint it has passed is later than its last collection (PostAnalytics.updated_at), or it was never
collected. Beat runs `collect_due_metrics` every few minutes; each due target becomes one task."""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, F, Q, When
from django.utils import timezone

from social_media.models import PostTarget, Status
from social_media.platforms import PlatformFactory
from social_media.platforms.base import AccountDisconnected, PlatformError, RateLimited, TokenExpired, TransientError
from social_media.services.tokens import account_mark_disconnected, account_refresh_token

from .models import AnalyticsSnapshot, PostAnalytics

logger = logging.getLogger(__name__)

CHECKPOINTS = (timedelta(hours=1), timedelta(hours=6), timedelta(days=1), timedelta(days=3), timedelta(days=7))
COLLECTION_WINDOW = CHECKPOINTS[-1] + timedelta(days=1)
# A due target is handed to the queue at most once an hour per checkpoint: a backed-up queue or a task
# still retrying is not enqueued again by the next pass, and a post the network no longer has is asked
# for once an hour, not every pass.
CLAIM_SECONDS = 3600
REFRESH_BEFORE_SECONDS = 300


def collect_target_metrics(*, target_id):
    """Read the metrics of a posted target from its network and store them: PostAnalytics updated (or
    created) and one AnalyticsSnapshot appended. Returns the PostAnalytics, or None when nothing was
    collected: the target is not posted, its account is inactive or needs reconnecting (an account the
    network refuses now is marked so), or the network refused the read for good (post deleted...).
    RateLimited and TransientError propagate with nothing written: the caller retries later."""
    target = (
        PostTarget.objects.select_related("account")
        .filter(id=target_id, status=Status.POSTED)
        .exclude(platform_post_id="")
        .first()
    )
    if target is None:
        return None
    account = target.account
    if not account.is_active or account.needs_reconnect:
        return None
    try:
        metrics = _fetch(account, target.platform_post_id)
    except (RateLimited, TransientError):
        raise
    except (AccountDisconnected, TokenExpired) as exc:  # TokenExpired here: refused again after a refresh
        account_mark_disconnected(account=account, message=exc.message)
        logger.warning("metrics of target %s: account %s needs reconnecting: %s", target.id, account.id, exc.message)
        return None
    except PlatformError as exc:
        logger.info("metrics of target %s not collected: %s", target.id, exc.message)
        return None
    return _store(target, metrics)


def _fetch(account, platform_post_id):
    """The adapter's reading, refreshing the token first when it is about to expire, and once (then
    reading again) when the network calls it expired."""
    if PlatformFactory.get_platform(account).token_needs_refresh(REFRESH_BEFORE_SECONDS):
        account = account_refresh_token(account_id=account.id)
    try:
        return PlatformFactory.get_platform(account).fetch_metrics(platform_post_id)
    except TokenExpired:
        account = account_refresh_token(account_id=account.id)
        return PlatformFactory.get_platform(account).fetch_metrics(platform_post_id)


def _store(target, metrics):
    counts = {
        "likes": metrics.likes,
        "reposts": metrics.reposts,
        "replies": metrics.replies,
        "impressions": metrics.impressions,
        "clicks": metrics.clicks,
    }
    with transaction.atomic():
        analytics, _ = PostAnalytics.objects.update_or_create(
            target=target, defaults={**counts, "platform_metrics": metrics.raw}
        )
        AnalyticsSnapshot.objects.create(target=target, snapshot_data={**counts, "raw": metrics.raw})
    return analytics


def _due(now):
    """Posted targets of usable accounts whose latest passed checkpoint is later than their last
    collection, annotated with that checkpoint; oldest checkpoint first. One query."""
    latest_checkpoint = Case(
        *[When(posted_at__lte=now - after, then=F("posted_at") + after) for after in reversed(CHECKPOINTS)]
    )
    return (
        PostTarget.objects.filter(
            status=Status.POSTED,
            posted_at__lte=now - CHECKPOINTS[0],
            posted_at__gt=now - COLLECTION_WINDOW,
            account__is_active=True,
            account__needs_reconnect=False,
        )
        .exclude(platform_post_id="")
        .annotate(checkpoint=latest_checkpoint, collected_at=F("analytics__updated_at"))
        .filter(Q(collected_at__isnull=True) | Q(collected_at__lt=F("checkpoint")))
        .order_by("checkpoint", "id")
    )


def due_for_collection(*, now=None, limit=None):
    """Ids of the targets whose metrics are due (see the module docstring), oldest checkpoint first."""
    due = _due(now or timezone.now()).values_list("id", flat=True)
    return list(due if limit is None else due[:limit])


def collect_due_metrics(*, now=None, limit=1000, inline=False):
    """One pass over the due targets. By default each becomes a `collect_target_metrics_task` on the
    analytics queue (at most once an hour per checkpoint, see CLAIM_SECONDS) and the count enqueued is
    returned; `inline=True` collects them here, one after another, and returns the count collected
    (a rate limit or transient error is logged and the target stays due)."""
    from analytics.tasks import collect_target_metrics_task

    due = list(_due(now or timezone.now()).values_list("id", "checkpoint")[:limit])
    done = 0
    for target_id, checkpoint in due:
        if inline:
            try:
                done += collect_target_metrics(target_id=target_id) is not None
            except (RateLimited, TransientError) as exc:
                logger.warning("metrics of target %s not collected, will retry: %s", target_id, exc.message)
        elif cache.add(f"analytics:collect:{target_id}:{int(checkpoint.timestamp())}", 1, timeout=CLAIM_SECONDS):
            collect_target_metrics_task.delay(target_id)
            done += 1
    return done
