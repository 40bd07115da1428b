"""Engagement-metrics collection, the write side of analytics.

Posts: read a posted target's figures from its network, keep the latest in PostAnalytics and append one
AnalyticsSnapshot per reading. Targets are read on a decaying schedule after they went out (CHECKPOINTS:
about 1 h, 6 h, 1 d, 3 d and 7 d after posted_at, then weekly until 90 days) and never once
COLLECTION_WINDOW has passed. A target is due when the latest checkpoint it has passed is later than its
last collection (PostAnalytics.updated_at), or it was never collected. Beat runs `collect_due_metrics`
every few minutes; each due target becomes one small task.

Accounts: followers, following and posts of every usable connected account, once a day (AccountSnapshot,
one row per account and UTC day); beat runs `collect_due_account_metrics` every hour.

Every read first takes a token from the account's "metrics" bucket of the per-account limiter that
publishing uses (social_media.services.ratelimit), so a sweep never exceeds adapter.metrics_rate. A
failed read is recorded in CollectionFailure (the next success clears it); it never stops a sweep."""

import logging
from datetime import UTC, timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, When
from django.utils import timezone

from social_media.models import ConnectedAccount, PostTarget, Status
from social_media.platforms import PlatformFactory
from social_media.platforms.base import (
    AccountDisconnected,
    AccountMetricsUnavailable,
    PlatformError,
    RateLimited,
    TokenExpired,
    TransientError,
)
from social_media.services import ratelimit
from social_media.services.tokens import account_mark_disconnected, account_refresh_token

from .models import METRICS, AccountSnapshot, AnalyticsSnapshot, CollectionFailure, PostAnalytics, fill_from_target

logger = logging.getLogger(__name__)

WEEK = timedelta(days=7)
CHECKPOINTS = (
    timedelta(hours=1), timedelta(hours=6), timedelta(days=1), timedelta(days=3),
    *(WEEK * n for n in range(1, 13)),  # 7, 14, ... 84 days
    timedelta(days=90),
)
COLLECTION_WINDOW = CHECKPOINTS[-1] + timedelta(days=1)
# A due target is handed to the queue at most once an hour per checkpoint: a backed-up queue or a task
# still retrying is not enqueued again by the next pass, and a post the network no longer has is asked
# for once an hour, not every pass.
CLAIM_SECONDS = 3600
REFRESH_BEFORE_SECONDS = 300
# Where a network's reading names a figure that Metrics has no field for (first key found wins).
RAW_FIGURES = {
    "quotes": ("quotes", "quote_count", "quotes_count"),
    "saves": ("saved", "saves", "bookmark_count", "bookmarks"),
    "views": ("views", "video_views", "view_count"),
}


class _Skip(Exception):
    """Nothing to read: the row is gone, not posted, or its account is not usable."""


def _read(account, read):
    """`read(adapter)` after a token from the account's metrics bucket, refreshing the token first when
    it is about to expire, and once (then reading again) when the network calls it expired.
    RateLimited when the bucket is empty (retry after its wait)."""
    adapter = PlatformFactory.get_platform(account)
    capacity, per_seconds = adapter.metrics_rate
    wait = ratelimit.take(account_id=account.id, capacity=capacity, per_seconds=per_seconds, scope="metrics")
    if wait:
        raise RateLimited("This account's metrics reads are paced; read again shortly.", retry_after=wait, http_status=None)
    if adapter.token_needs_refresh(REFRESH_BEFORE_SECONDS):
        account = account_refresh_token(account_id=account.id)
    try:
        return read(PlatformFactory.get_platform(account))
    except TokenExpired:
        account = account_refresh_token(account_id=account.id)
        return read(PlatformFactory.get_platform(account))


def _guarded(*, account, what, failure_key, read):
    """Run `read` for `account`; returns its answer or None. RateLimited and TransientError propagate
    (the task retries them) after being recorded; a refused account is marked for reconnection; any
    other PlatformError is recorded and answers None."""
    try:
        answer = read()
    except (RateLimited, TransientError) as exc:
        record_failure(exc=exc, **failure_key)
        raise
    except (AccountDisconnected, TokenExpired) as exc:  # TokenExpired here: refused again after a refresh
        account_mark_disconnected(account=account, message=exc.message)
        record_failure(exc=exc, **failure_key)
        logger.warning("%s: account %s needs reconnecting: %s", what, account.id, exc.message)
        return None
    except PlatformError as exc:
        record_failure(exc=exc, **failure_key)
        logger.info("%s not collected: %s", what, exc.message)
        return None
    CollectionFailure.objects.filter(**_failure_lookup(**failure_key)).delete()
    return answer


# --- posts ------------------------------------------------------------------------------------------
def collect_target_metrics(*, target_id):
    """Read the metrics of a posted target from its network and store them: PostAnalytics updated (or
    created) and one AnalyticsSnapshot appended. Returns the PostAnalytics, or None when nothing was
    collected: the target is not posted, its account is inactive or needs reconnecting (an account the
    network refuses now is marked so), or the network refused the read for good (post deleted...), which
    is recorded in CollectionFailure. RateLimited and TransientError propagate with no figures written:
    the caller retries later."""
    target = (
        PostTarget.objects.select_related("account", "post")
        .filter(id=target_id, status=Status.POSTED)
        .exclude(platform_post_id="")
        .first()
    )
    if target is None:
        return None
    account = target.account
    if not account.is_active or account.needs_reconnect:
        return None
    metrics = _guarded(
        account=account, what=f"metrics of target {target.id}", failure_key={"target": target},
        read=lambda: _read(account, lambda adapter: adapter.fetch_metrics(target.platform_post_id)),
    )
    return None if metrics is None else _store(target, metrics)


def figures_of(metrics):
    """The eight typed figures of an adapter's Metrics (quotes, saves and views from its raw reading)."""
    raw = metrics.raw or {}
    figures = {name: int(getattr(metrics, name, 0) or 0) for name in METRICS if hasattr(metrics, name)}
    for name, keys in RAW_FIGURES.items():
        if not figures.get(name):
            figures[name] = next((int(raw[key] or 0) for key in keys if isinstance(raw.get(key), (int, float))), 0)
    return {name: max(0, figures.get(name, 0)) for name in METRICS}


def _store(target, metrics):
    figures = figures_of(metrics)
    with transaction.atomic():
        analytics = PostAnalytics.objects.filter(target=target).first() or PostAnalytics(target=target)
        for name, value in figures.items():
            setattr(analytics, name, value)
        analytics.platform_metrics = metrics.raw
        fill_from_target(analytics, target)
        analytics.save()
        AnalyticsSnapshot.objects.create(target=target, extra=metrics.raw, **figures)
        from webhooks.events import analytics_collected

        analytics_collected(target, figures)  # delivered once this transaction commits
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
    analytics queue (at most once an hour per checkpoint, see CLAIM_SECONDS; each task expires) and the
    count enqueued is returned; `inline=True` collects them here, one after another, and returns the
    count collected (a failure is logged and recorded and the pass goes on)."""
    from analytics.tasks import TASK_EXPIRES_SECONDS, collect_target_metrics_task

    due = list(_due(now or timezone.now()).values_list("id", "checkpoint")[:limit])
    done = 0
    for target_id, checkpoint in due:
        if inline:
            done += _inline(collect_target_metrics, target_id=target_id)
        elif cache.add(f"analytics:collect:{target_id}:{int(checkpoint.timestamp())}", 1, timeout=CLAIM_SECONDS):
            collect_target_metrics_task.apply_async((target_id,), expires=TASK_EXPIRES_SECONDS)
            done += 1
    return done


def _inline(collect, **ids):
    try:
        return collect(**ids) is not None
    except (RateLimited, TransientError) as exc:
        logger.warning("%s %s not collected, will retry: %s", collect.__name__, ids, exc.message)
    except Exception:  # a defect in one reading must not stop the pass
        logger.exception("%s %s failed", collect.__name__, ids)
    return False


# --- accounts ---------------------------------------------------------------------------------------
def collect_account_metrics(*, account_id, now=None):
    """Read the account's followers, following and posts and store them as today's AccountSnapshot
    (UTC day; read again the same day, the row is updated). Returns the snapshot, or None when the
    account is not usable or the network offers no figures for it (recorded in CollectionFailure with
    the network's reason). RateLimited and TransientError propagate."""
    account = ConnectedAccount.objects.filter(id=account_id, is_active=True, needs_reconnect=False).first()
    if account is None:
        return None
    figures = _guarded(
        account=account, what=f"metrics of account {account.id}", failure_key={"account": account},
        read=lambda: _read(account, lambda adapter: adapter.account_metrics()),
    )
    if figures is None:
        return None
    now = now or timezone.now()
    snapshot, _ = AccountSnapshot.objects.update_or_create(
        account=account, day=now.date() if now.tzinfo is None else now.astimezone(UTC).date(),
        defaults={
            "followers": figures.followers, "following": figures.following, "posts": figures.posts,
            "extra": figures.raw, "captured_at": now,
        },
    )
    return snapshot


def due_accounts(*, now=None):
    """Ids of usable accounts without a snapshot for today (UTC)."""
    today = (now or timezone.now()).astimezone(UTC).date()
    return list(
        ConnectedAccount.objects.filter(is_active=True, needs_reconnect=False)
        .exclude(snapshots__day=today)
        .order_by("id")
        .values_list("id", flat=True)
    )


def collect_due_account_metrics(*, now=None, inline=False):
    """One pass over the accounts without today's snapshot: a `collect_account_metrics_task` each (at
    most once an hour per account), or collected here with `inline=True`. Returns the count."""
    from analytics.tasks import TASK_EXPIRES_SECONDS, collect_account_metrics_task

    now = now or timezone.now()
    done = 0
    for account_id in due_accounts(now=now):
        if inline:
            done += _inline(collect_account_metrics, account_id=account_id)
        elif cache.add(f"analytics:account:{account_id}:{now.astimezone(UTC):%Y%m%d%H}", 1, timeout=CLAIM_SECONDS):
            collect_account_metrics_task.apply_async((account_id,), expires=TASK_EXPIRES_SECONDS)
            done += 1
    return done


# --- failures ---------------------------------------------------------------------------------------
def _failure_lookup(*, target=None, account=None):
    return {"target": target, "kind": "post"} if target is not None else {"account": account, "kind": "account"}


def record_failure(*, exc, target=None, account=None):
    """Keep the last failed reading of a target or an account (counting repeats) for the admin."""
    lookup = _failure_lookup(target=target, account=account)
    values = {
        "error_class": exc.__class__.__name__, "http_status": getattr(exc, "http_status", None),
        "message": getattr(exc, "message", str(exc))[:2000], "failed_at": timezone.now(),
    }
    if target is not None:
        values["account"] = target.account
    updated = CollectionFailure.objects.filter(**lookup).update(failures=F("failures") + 1, **values)
    if not updated:
        try:
            with transaction.atomic():
                CollectionFailure.objects.create(**lookup, **values)
        except IntegrityError:  # a concurrent first failure created it: count this one on it
            CollectionFailure.objects.filter(**lookup).update(failures=F("failures") + 1, **values)

