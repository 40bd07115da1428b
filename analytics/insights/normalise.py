"""Engagement of each post relative to its account's baseline at the time.

A post's score is y = log(1 + engagement) − the mean of log(1 + engagement) of the same account's other
posts within BASELINE_WINDOW either side of it (at least MIN_NEIGHBOURS of them; with fewer, all the
account's other posts). So a post that did as well as its neighbours scores 0 and one that did three
times as well scores about log 3, whether the account had 100 or 100,000 followers then: an account
that grew does not make its later hours look better. Posts younger than MIN_AGE are left out (their
figures are still growing). One indexed query (PostAnalytics by account or workspace and posted_at),
then O(n) with prefix sums."""

import math
from bisect import bisect_left, bisect_right
from datetime import timedelta
from typing import NamedTuple

from django.db.models import F, FloatField, Func, IntegerField, Value
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone

from analytics.models import PostAnalytics

BASELINE_WINDOW = timedelta(days=14)
MIN_NEIGHBOURS = 4
MIN_AGE = timedelta(days=2)
HISTORY = timedelta(days=365)


class ScoredPost(NamedTuple):
    account_id: int
    target_id: int
    at: float  # posted_at, seconds since the epoch
    engagement: int
    impressions: int
    y: float  # log engagement over the account's baseline then
    content: str = ""
    slot: int | None = None  # hour of the week in the time zone asked for (Monday 00:00 = 0)

    @property
    def relative(self):
        """Engagement as a multiple of the account's baseline then (1.0: typical)."""
        return math.exp(self.y)


def post_rows(*, workspace=None, account_ids=None, since=None, until=None, now=None, with_content=False, tz=None):
    """PostAnalytics rows of the accounts (or the whole workspace) posted in [since, until), ordered by
    account and time: (account_id, target_id, epoch seconds, engagement_total, impressions, custom
    content, post content, local ISO weekday, local hour); the content is "" unless `with_content`, the
    weekday and hour None unless `tz` is given (PostgreSQL converts each moment with that zone's rules of
    its own date, so DST is right; reading epochs and small integers also spares parsing datetimes)."""
    now = now or timezone.now()
    rows = PostAnalytics.objects.filter(
        posted_at__gte=since or now - HISTORY, posted_at__lt=until or now - MIN_AGE,
    )
    rows = rows.filter(account_id__in=account_ids) if account_ids is not None else rows.filter(workspace=workspace)
    rows = rows.annotate(
        epoch=Func(F("posted_at"), template="EXTRACT(EPOCH FROM %(expressions)s)::float8", output_field=FloatField()),
        text=F("target__custom_content") if with_content else Value(""),
        post_text=F("target__post__content") if with_content else Value(""),
        weekday=ExtractIsoWeekDay("posted_at", tzinfo=tz) if tz else Value(None, output_field=IntegerField()),
        hour=ExtractHour("posted_at", tzinfo=tz) if tz else Value(None, output_field=IntegerField()),
    )
    return rows.order_by("account_id", "posted_at", "target_id").values_list(
        "account_id", "target_id", "epoch", "engagement_total", "impressions", "text", "post_text", "weekday", "hour",
    )


def scored_posts(rows):
    """ScoredPost for each row of `post_rows` (rows of one account must be contiguous and in time order)."""
    scored, start = [], 0
    rows = list(rows)
    while start < len(rows):
        end = start
        while end < len(rows) and rows[end][0] == rows[start][0]:
            end += 1
        scored += _score_account(rows[start:end])
        start = end
    return scored


def _score_account(rows):
    times = [float(row[2]) for row in rows]
    logs = [math.log1p(row[3]) for row in rows]
    prefix = [0.0]
    for value in logs:
        prefix.append(prefix[-1] + value)
    total, n, half = prefix[-1], len(rows), BASELINE_WINDOW.total_seconds()
    out = []
    for i, row in enumerate(rows):
        lo, hi = bisect_left(times, times[i] - half), bisect_right(times, times[i] + half)
        count = hi - lo - 1
        if count >= MIN_NEIGHBOURS:
            baseline = (prefix[hi] - prefix[lo] - logs[i]) / count
        elif n > 1:
            baseline = (total - logs[i]) / (n - 1)
        else:
            baseline = logs[i]
        slot = (row[7] - 1) * 24 + row[8] if row[7] is not None else None
        out.append(ScoredPost(row[0], row[1], times[i], row[3], row[4], logs[i] - baseline, row[5] or row[6] or "", slot))
    return out


def pooled_variance(values, floor=0.05):
    """Sample variance of the scores (at least `floor`, so a handful of identical posts is not certainty)."""
    if len(values) < 2:
        return 1.0
    mean = sum(values) / len(values)
    return max(floor, sum((v - mean) ** 2 for v in values) / (len(values) - 1))
