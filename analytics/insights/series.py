"""Chart series for the web app's analytics page, each in one query: engagement per day (by the day
a target was posted, in a given time zone) and the posts with the most engagement."""

from datetime import timedelta

from django.db.models import F, Sum
from django.db.models.functions import Coalesce, TruncDate

from social_media.models import Post, PostTarget, Status

from analytics.services import METRICS

ENGAGEMENT = ("likes", "reposts", "replies", "clicks")


def daily_engagement(*, workspace, since, until, tzinfo):
    """[{"day": date, "likes": n, ...}] for every day from `since` to `until` (exclusive), zeros included."""
    rows = (
        PostTarget.objects.filter(post__workspace=workspace, status=Status.POSTED, posted_at__gte=since, posted_at__lt=until)
        .annotate(day=TruncDate("posted_at", tzinfo=tzinfo))
        .order_by()
        .values("day")
        .annotate(**{name: Coalesce(Sum(f"analytics__{name}"), 0) for name in METRICS})
    )
    by_day = {row["day"]: row for row in rows}
    first, last = since.astimezone(tzinfo).date(), (until - timedelta(microseconds=1)).astimezone(tzinfo).date()
    series, day = [], first
    while day <= last:
        series.append(by_day.get(day) or {"day": day, **dict.fromkeys(METRICS, 0)})
        day += timedelta(days=1)
    return series


def top_posts(*, workspace, since, until, limit=10):
    """The posts posted in the window with the most engagement (likes + reposts + replies + clicks)."""
    totals = {name: Coalesce(Sum(f"targets__analytics__{name}"), 0) for name in METRICS}
    return list(
        Post.objects.filter(workspace=workspace, posted_at__gte=since, posted_at__lt=until)
        .annotate(**totals)
        .annotate(engagement=sum((F(name) for name in ENGAGEMENT[1:]), F(ENGAGEMENT[0])))
        .order_by("-engagement", "-posted_at", "-id")[:limit]
    )
