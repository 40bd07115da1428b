"""Read-side analytics: workspace totals and per-post metrics, each in a fixed number of queries.

A time window (since inclusive, until exclusive) selects posts by when they went, or are due to go,
out: posted_at, else scheduled_time, else created_at. Target counts and engagement sums follow the same
posts, so every figure in an overview describes the same set of posts."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Sum
from django.db.models.functions import Coalesce

from social_media.models import ConnectedAccount, Post, PostTarget, Status, without_secrets
from social_media.platforms.registry import PLATFORMS

from .models import AnalyticsSnapshot, PostAnalytics

METRICS = ("likes", "reposts", "replies", "impressions", "clicks")


def _window(queryset, *, prefix="", since=None, until=None):
    if since is None and until is None:
        return queryset
    moment = Coalesce(f"{prefix}posted_at", f"{prefix}scheduled_time", f"{prefix}created_at")
    queryset = queryset.annotate(activity_at=moment)
    if since is not None:
        queryset = queryset.filter(activity_at__gte=since)
    if until is not None:
        queryset = queryset.filter(activity_at__lt=until)
    return queryset


def _zero_metrics():
    return dict.fromkeys(METRICS, 0)


def workspace_overview(*, workspace, since=None, until=None, platform=None, account=None):
    """Totals for `workspace`: posts by status, targets posted/failed, summed engagement, per platform.
    With `platform` or `account`, only the targets on that network or account, and the posts that have one."""
    posts = _window(Post.objects.filter(workspace=workspace), since=since, until=until)
    target_filter = {}
    if platform:
        target_filter["account__platform"] = platform
    if account is not None:
        target_filter["account"] = account
    if target_filter:
        posts = posts.filter(Exists(PostTarget.objects.filter(post=OuterRef("pk"), **target_filter)))
    by_status = dict.fromkeys(Status.values, 0)
    for row in posts.order_by().values("status").annotate(n=Count("id")):
        by_status[row["status"]] = row["n"]

    # Counts per account from the targets, figures per network from PostAnalytics (which keeps each
    # target's post and network): neither joins the other table row by row.
    targets = _window(PostTarget.objects.filter(post__workspace=workspace, **target_filter), prefix="post__", since=since, until=until)
    counts = targets.order_by().values("account_id").annotate(
        targets=Count("id"), posted=Count("id", filter=Q(status=Status.POSTED)), failed=Count("id", filter=Q(status=Status.FAILED)),
    )
    platform_of = dict(ConnectedAccount.objects.filter(workspace=workspace).values_list("id", "platform"))
    per_platform = {}
    for row in counts:
        into = per_platform.setdefault(platform_of.get(row["account_id"], ""), {"targets": 0, "posted": 0, "failed": 0, **_zero_metrics()})
        for key in ("targets", "posted", "failed"):
            into[key] += row[key]
    figures = PostAnalytics.objects.filter(workspace=workspace, post__workspace=workspace)  # its own index narrows to the workspace
    if platform:
        figures = figures.filter(platform=platform)
    if account is not None:
        figures = figures.filter(account=account)
    figures = _window(figures, prefix="post__", since=since, until=until)
    for row in figures.order_by().values("platform").annotate(**{f"sum_{name}": Coalesce(Sum(name), 0) for name in METRICS}):
        into = per_platform.setdefault(row["platform"], {"targets": 0, "posted": 0, "failed": 0, **_zero_metrics()})
        for name in METRICS:
            into[name] += row[f"sum_{name}"]

    platforms, totals, engagement = [], {"total": 0, "posted": 0, "failed": 0}, _zero_metrics()
    for key in [*PLATFORMS, *sorted(set(per_platform) - set(PLATFORMS))]:
        row = per_platform.get(key) or {"targets": 0, "posted": 0, "failed": 0, **_zero_metrics()}
        platforms.append({"platform": key, "label": PLATFORMS.get(key, (key,))[0], **row})
        totals["total"] += row["targets"]
        totals["posted"] += row["posted"]
        totals["failed"] += row["failed"]
        for name in METRICS:
            engagement[name] += row[name]
    return {
        "since": since,
        "until": until,
        "posts": {"total": sum(by_status.values()), "by_status": by_status},
        "targets": totals,
        "engagement": engagement,
        "platforms": platforms,
    }


def _metrics_of(target):
    analytics = getattr(target, "analytics", None)
    if analytics is None:
        return None
    return {
        **{name: getattr(analytics, name) for name in METRICS},
        "platform_metrics": analytics.platform_metrics,
        "updated_at": analytics.updated_at,
    }


def _target_summary(target):
    return {
        "id": target.pk,
        "platform": target.account.platform,
        "account": {"id": target.account_id, "platform_username": target.account.platform_username},
        "status": target.status,
        "platform_post_url": target.platform_post_url,
        "posted_at": target.posted_at,
    }


def post_metrics(*, post):
    """Latest PostAnalytics of each of `post`'s targets, and their sum (targets without figures add 0)."""
    targets = without_secrets(PostTarget.objects.filter(post=post).select_related("account", "analytics"), "account")
    totals = _zero_metrics()
    items = []
    for target in targets:
        metrics = _metrics_of(target)
        if metrics:
            for name in METRICS:
                totals[name] += metrics[name]
        items.append({**_target_summary(target), "metrics": metrics})
    return {
        "post": {"id": post.pk, "status": post.status, "posted_at": post.posted_at},
        "totals": totals,
        "targets": items,
    }


def post_history(*, post, since=None, until=None):
    """AnalyticsSnapshot rows of each of `post`'s targets, oldest first, optionally within a window
    of capture time (since inclusive, until exclusive)."""
    snapshots = AnalyticsSnapshot.objects.order_by("captured_at", "id")
    if since is not None:
        snapshots = snapshots.filter(captured_at__gte=since)
    if until is not None:
        snapshots = snapshots.filter(captured_at__lt=until)
    targets = (
        without_secrets(PostTarget.objects.filter(post=post).select_related("account"), "account")
        .prefetch_related(Prefetch("snapshots", queryset=snapshots, to_attr="window_snapshots"))
    )
    return {
        "post": {"id": post.pk, "status": post.status, "posted_at": post.posted_at},
        "targets": [
            {
                **_target_summary(target),
                "snapshots": [{"captured_at": s.captured_at, "data": s.snapshot_data} for s in target.window_snapshots],
            }
            for target in targets
        ],
    }
