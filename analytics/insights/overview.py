"""The overview of a workspace's analytics over a window: totals, per network and per account,
engagement rate, a daily series in the workspace's time zone, follower growth and the top posts.

Engagement figures describe the targets posted in the window (PostAnalytics.posted_at, indexed with the
workspace), each with its latest reading. The engagement rate is engagement ÷ impressions over the
targets whose network reports impressions; where none does, it is engagement per post (`basis` says
which). A fixed number of queries, whatever the window holds."""

from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from analytics.models import METRICS, AccountSnapshot, PostAnalytics
from analytics.services import workspace_overview
from social_media.models import ConnectedAccount, Post
from social_media.platforms.registry import PLATFORMS

MAX_SERIES_DAYS = 366


def facts(*, workspace, since=None, until=None, platform=None, account=None):
    rows = PostAnalytics.objects.filter(workspace=workspace)
    if since is not None:
        rows = rows.filter(posted_at__gte=since)
    if until is not None:
        rows = rows.filter(posted_at__lt=until)
    if platform:
        rows = rows.filter(platform=platform)
    if account is not None:
        rows = rows.filter(account=account)
    return rows


SUM_KEYS = ("posts", *METRICS, "engagement", "rated_engagement", "rated_impressions")


def _sums():
    """Aggregates named sum_<key> (an aggregate may not take a field's own name); `unpack` renames them."""
    sums = {f"sum_{name}": Coalesce(Sum(name), 0) for name in METRICS}
    return {
        "sum_posts": Count("id"), **sums, "sum_engagement": Coalesce(Sum("engagement_total"), 0),
        "sum_rated_engagement": Coalesce(Sum("engagement_total", filter=Q(impressions__gt=0)), 0),
        "sum_rated_impressions": Coalesce(Sum("impressions", filter=Q(impressions__gt=0)), 0),
    }


def unpack(row):
    """A row of `_sums` with plain keys (other keys kept)."""
    return {key[4:] if key.startswith("sum_") else key: value for key, value in row.items()}


def rate(row):
    """Engagement rate of a row of sums (see the module docstring)."""
    by_impressions = row["rated_engagement"] / row["rated_impressions"] if row["rated_impressions"] else None
    return {
        "engagement_rate": round(by_impressions, 6) if by_impressions is not None else None,
        "engagement_per_post": round(row["engagement"] / row["posts"], 4) if row["posts"] else None,
        "basis": "impressions" if by_impressions is not None else "per_post",
    }


def _zero():
    return {"posts": 0, **dict.fromkeys(METRICS, 0), "engagement": 0, "rated_engagement": 0, "rated_impressions": 0}


def _add(into, row):
    for key in into:
        into[key] += row[key]


def _public(row):
    return {key: row[key] for key in ("posts", *METRICS, "engagement")} | rate(row)


def daily_series(rows, *, since, until, tz):
    """[{day, posts, engagement, <metrics>}] per local day of `tz`, zeros included."""
    by_day = {
        row["day"]: unpack(row)
        for row in rows.annotate(day=TruncDate("posted_at", tzinfo=tz)).order_by().values("day").annotate(**_sums())
    }
    if not by_day and (since is None or until is None):
        return []
    first = since.astimezone(tz).date() if since is not None else min(by_day)
    last = (until - timedelta(microseconds=1)).astimezone(tz).date() if until is not None else max(max(by_day), timezone.now().astimezone(tz).date())
    first = max(first, last - timedelta(days=MAX_SERIES_DAYS - 1))
    series, day = [], first
    while day <= last:
        series.append({"day": day, **_public(by_day.get(day) or _zero())})
        day += timedelta(days=1)
    return series


def follower_growth(*, account_ids, since, until, tz):
    """Per account: followers at the first and last snapshot of the window and the change; and the
    workspace's total followers per day (each account's latest reading carried forward)."""
    snapshots = AccountSnapshot.objects.filter(account_id__in=account_ids)
    first_day = since.astimezone(tz).date() if since is not None else None
    last_day = (until - timedelta(microseconds=1)).astimezone(tz).date() if until is not None else None
    if first_day:
        snapshots = snapshots.filter(day__gte=first_day)
    if last_day:
        snapshots = snapshots.filter(day__lte=last_day)
    rows = list(snapshots.order_by("day", "account_id").values_list("account_id", "day", "followers"))
    per_account, latest, series = {}, {}, []
    for account_id, day, followers in rows:
        if followers is None:
            continue
        entry = per_account.setdefault(account_id, {"account": account_id, "start": followers, "end": followers, "first_day": day, "last_day": day})
        entry["end"], entry["last_day"] = followers, day
        latest[account_id] = followers
        if series and series[-1]["day"] == day:
            series[-1]["followers"] = sum(latest.values())
        else:
            series.append({"day": day, "followers": sum(latest.values())})
    for entry in per_account.values():
        entry["change"] = entry["end"] - entry["start"]
    return {"accounts": list(per_account.values()), "series": series,
            "total_change": sum(entry["change"] for entry in per_account.values())}


def top_posts(rows, limit=10):
    """The posts whose targets in `rows` had the most engagement (ties: newer first)."""
    best = list(
        rows.order_by().values("post_id")
        .annotate(engagement=Sum("engagement_total"), impressions=Sum("impressions"), targets=Count("id"))
        .order_by("-engagement", "-post_id")[:limit]
    )
    posts = {p.pk: p for p in Post.objects.filter(pk__in=[row["post_id"] for row in best]).only("id", "content", "posted_at")}
    return [
        {"id": row["post_id"], "content": posts[row["post_id"]].content[:280],
         "posted_at": posts[row["post_id"]].posted_at, "engagement": row["engagement"],
         "impressions": row["impressions"], "targets": row["targets"]}
        for row in best if row["post_id"] in posts
    ]


def overview(*, workspace, tz, since=None, until=None, platform=None, account=None, top=10):
    """The existing totals (analytics.services.workspace_overview) and the insights (module docstring)."""
    base = workspace_overview(workspace=workspace, since=since, until=until, platform=platform, account=account)
    rows = facts(workspace=workspace, since=since, until=until, platform=platform, account=account)
    per_account_rows = [unpack(row) for row in rows.order_by().values("account_id", "platform").annotate(**_sums())]
    accounts = ConnectedAccount.objects.filter(workspace=workspace)
    if platform:
        accounts = accounts.filter(platform=platform)
    if account is not None:
        accounts = accounts.filter(pk=account.pk)
    names = dict(accounts.values_list("id", "platform_username"))
    totals, per_platform = _zero(), {}
    for row in per_account_rows:
        _add(totals, row)
        _add(per_platform.setdefault(row["platform"], _zero()), row)
    return {
        **base,
        "timezone": str(tz),
        "filters": {"platform": platform or None, "account": account.pk if account is not None else None},
        "totals": _public(totals),
        "by_platform": [
            {"platform": key, "label": PLATFORMS.get(key, (key,))[0], **_public(per_platform[key])}
            for key in [*PLATFORMS, *sorted(set(per_platform) - set(PLATFORMS))] if key in per_platform
        ],
        "by_account": sorted(
            ({"account": row["account_id"], "platform": row["platform"], "platform_username": names.get(row["account_id"], ""),
              **_public(row)} for row in per_account_rows),
            key=lambda r: (-r["engagement"], r["account"] or 0),
        ),
        "series": daily_series(rows, since=since, until=until, tz=tz),
        "followers": follower_growth(account_ids=list(names), since=since, until=until, tz=tz),
        "top_posts": top_posts(rows, limit=top),
    }


