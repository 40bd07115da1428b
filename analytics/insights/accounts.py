"""One account: its follower series (daily AccountSnapshot) and the performance of each of its posts
in the window, with each post's engagement relative to the account's baseline then."""

from datetime import timedelta

from django.utils import timezone

from analytics.models import METRICS, AccountSnapshot

from .normalise import post_rows, scored_posts
from .overview import _sums, facts, rate, unpack

MAX_POSTS = 500


def account_insights(*, account, tz, since=None, until=None, limit=MAX_POSTS):
    now = timezone.now()
    snapshots = AccountSnapshot.objects.filter(account=account)
    if since is not None:
        snapshots = snapshots.filter(day__gte=since.astimezone(tz).date())
    if until is not None:
        snapshots = snapshots.filter(day__lte=(until - timedelta(microseconds=1)).astimezone(tz).date())
    followers = [
        {"day": s.day, "followers": s.followers, "following": s.following, "posts": s.posts, "extra": s.extra}
        for s in snapshots.order_by("day")
    ]
    rows = facts(workspace=account.workspace_id, since=since, until=until, account=account)
    totals = unpack(rows.order_by().aggregate(**_sums()))
    relative = {p.target_id: p.relative for p in scored_posts(post_rows(account_ids=[account.id], since=since, until=until or now))}
    table = []
    for row in (
        rows.select_related("target__post").only("target__post__content", "target__post_id", "target__platform_post_url",
                                                  "posted_at", "engagement_total", *METRICS)
        .order_by("-posted_at", "-id")[:limit]
    ):
        table.append({
            "post": row.target.post_id, "target": row.target_id, "content": row.target.post.content[:280],
            "url": row.target.platform_post_url, "posted_at": row.posted_at,
            **{name: getattr(row, name) for name in METRICS}, "engagement": row.engagement_total,
            "relative_to_baseline": round(relative[row.target_id], 4) if row.target_id in relative else None,
        })
    return {
        "account": {"id": account.id, "platform": account.platform, "platform_username": account.platform_username},
        "timezone": str(tz),
        "followers": followers,
        "totals": {"posts": totals["posts"], **{name: totals[name] for name in METRICS}, "engagement": totals["engagement"], **rate(totals)},
        "posts": table,
        "posts_truncated": totals["posts"] > len(table),
    }

