"""The Analytics page: the same insights the API answers (analytics.insights), for the window, network
and account picked in the form, with the best-time heat map and hashtags of one account, and CSV
downloads of the daily series and the post table (streamed)."""

from datetime import datetime, time, timedelta

from django.http import Http404, StreamingHttpResponse
from django.utils import timezone

from analytics.insights.best_times import best_times
from analytics.insights.export import POST_COLUMNS, SERIES_COLUMNS, csv_lines, post_rows_csv, post_table, series_rows
from analytics.insights.hashtags import hashtag_lift
from analytics.insights.heatmap import heat_rows
from analytics.insights.overview import daily_series, facts, overview
from analytics.insights.tz import workspace_timezone
from social_media.models import ConnectedAccount, without_secrets
from social_media.platforms.registry import PLATFORMS

from ..context import workspace_view
from ..render import page

PERIODS = {"7": 7, "30": 30, "90": 90}


def _choices(request):
    """The form's window, network and account (unknown values fall back to the defaults)."""
    days = PERIODS.get(request.GET.get("days", ""), 30)
    tz = workspace_timezone(workspace=request.workspace, user=request.user)
    today = datetime.combine(timezone.now().astimezone(tz).date(), time.min, tzinfo=tz)
    until = today + timedelta(days=1)
    since = until - timedelta(days=days)
    platform = request.GET.get("platform", "") if request.GET.get("platform", "") in PLATFORMS else ""
    accounts = list(without_secrets(ConnectedAccount.objects.filter(workspace=request.workspace)).order_by("platform", "platform_username"))
    by_id = {str(a.pk): a for a in accounts}
    account = by_id.get(request.GET.get("account", ""))
    return days, tz, since, until, platform, account, accounts, by_id


def rate_text(row):
    """"4.75 % of impressions", "8.5 per post" or "–" for a row with an engagement rate."""
    if row["engagement_rate"] is not None:
        return f"{row['engagement_rate'] * 100:.2f} % of impressions"
    if row["engagement_per_post"] is not None:
        return f"{row['engagement_per_post']:g} per post"
    return "–"


@workspace_view()
def analytics(request):
    days, tz, since, until, platform, account, accounts, by_id = _choices(request)
    body = overview(workspace=request.workspace, tz=tz, since=since, until=until, platform=platform or None, account=account)
    series = body["series"]
    focus = by_id.get(request.GET.get("focus", "")) or account or (accounts[0] if accounts else None)
    times = best_times(account=focus, user=request.user) if focus else None
    tags = hashtag_lift(workspace=request.workspace, account=focus, limit=15) if focus else None
    chart_data = {
        "days": [row["day"].isoformat() for row in series],
        "likes": [row["likes"] for row in series], "reposts": [row["reposts"] for row in series],
        "replies": [row["replies"] for row in series], "engagement": [row["engagement"] for row in series],
        "platforms": [p["label"] for p in body["platforms"]],
        "platformPosted": [p["posted"] for p in body["platforms"]],
        "platformEngagement": [p["likes"] + p["reposts"] + p["replies"] for p in body["platforms"]],
        "followerDays": [row["day"].isoformat() for row in body["followers"]["series"]],
        "followers": [row["followers"] for row in body["followers"]["series"]],
    }
    body["totals"]["rate_text"] = rate_text(body["totals"])
    for row in body["by_account"]:
        row["rate_text"] = rate_text(row)
    names = {a.pk: a for a in accounts}
    growth = [{**row, "account_obj": names.get(row["account"])} for row in body["followers"]["accounts"]]
    return page(request, "app/analytics.html", {
        "overview": body, "series": series, "chart_data": chart_data, "days": days, "periods": PERIODS,
        "platform_choices": [(key, PLATFORMS[key][0]) for key in PLATFORMS], "platform": platform,
        "accounts": accounts, "account": account, "focus": focus, "times": times,
        "heat": heat_rows(times) if times else [], "heat_hours": range(24), "tags": tags, "growth": growth,
        "query": request.GET.urlencode(), "top": body["top_posts"], "page_title": "Analytics",
    })


@workspace_view()
def analytics_export(request, kind):
    """The page's daily series or post table as CSV, streamed."""
    _days, tz, since, until, platform, account, _accounts, _by_id = _choices(request)
    if kind == "series":
        rows = facts(workspace=request.workspace, since=since, until=until, platform=platform or None, account=account)
        lines = csv_lines(SERIES_COLUMNS, series_rows(daily_series(rows, since=since, until=until, tz=tz)))
    elif kind == "posts":
        queryset = post_table(workspace=request.workspace, since=since, until=until, platform=platform or None, account=account)
        lines = csv_lines(POST_COLUMNS, post_rows_csv(queryset))
    else:
        raise Http404
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="analytics-{kind}.csv"'
    return response
