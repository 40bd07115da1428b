"""Warnings before scheduling past a network's daily publishing limit (Instagram: content_publishing_limit,
50 API-published posts in a rolling 24 hours by default; Threads: 250). Not an error: the count is of this
server's own posts to the account, and some of them may still be cancelled or fail, while posts made
elsewhere count too; a post past the limit is not refused but waits (RateLimited) until a slot frees. The
composer's live check, the web schedule and `validate_draft` all read it from here."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from social_media.models import PostTarget, Status
from social_media.platforms import PLATFORMS, PlatformFactory

COUNTED = (Status.SCHEDULED, Status.QUEUED, Status.PUBLISHING, Status.POSTED, Status.UNCONFIRMED)


def quota_warnings(*, account, at=None, exclude_post_id=None) -> list[str]:
    """[a sentence] when a post to `account` at `at` (now when None) would be past the account's publishing
    limit in some rolling window that holds it, counting this server's other posts to it; else []."""
    quota = PlatformFactory.get_platform(account).publishing_quota()
    if not quota:
        return []
    total, seconds = quota
    at, window = at or timezone.now(), timedelta(seconds=seconds)
    times = sorted(
        PostTarget.objects.filter(account_id=account.pk, status__in=COUNTED)
        .exclude(post_id=exclude_post_id)
        .annotate(at=Coalesce("posted_at", "next_attempt_at", F("post__scheduled_time")))
        .filter(at__gt=at - window, at__lt=at + window)
        .values_list("at", flat=True)
    )
    # The most of them in one window [start, start + window) that also holds `at`: windows starting just after
    # at - window, or at one of these posts up to `at` (a few hundred posts at most: counted plainly).
    starts = [at - window + timedelta(microseconds=1)] + [moment for moment in times if moment <= at]
    busiest = max(sum(1 for moment in times if start <= moment < start + window) for start in starts)
    if busiest < total:
        return []
    hours = seconds // 3600
    network = PLATFORMS[account.platform][0]
    return [f"{network} publishes at most {total} posts per {hours} hours from apps, and @{account.platform_username} "
            f"already has {busiest} scheduled or posted within {hours} hours of this time: this one will wait until a "
            f"slot frees."]


def post_quota_warnings(*, post) -> dict[str, list[str]]:
    """quota_warnings of each of the post's targets at its scheduled time: {"<account id>": [...]}."""
    warnings = {}
    for target in PostTarget.objects.filter(post_id=post.pk).select_related("account").order_by("id"):
        found = quota_warnings(account=target.account, at=post.scheduled_time, exclude_post_id=post.pk)
        if found:
            warnings[str(target.account_id)] = found
    return warnings
