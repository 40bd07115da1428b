"""Analytics (charts of the overview, engagement per day, top posts) and Problems (what needs a person)."""

from datetime import timedelta

from django.utils import timezone

from analytics.insights import daily_engagement, top_posts
from analytics.services import workspace_overview

from ..context import workspace_view
from ..queries import accounts_needing_reconnect, disconnected_posts, problem_targets
from ..render import page, paginate

PERIODS = {"7": 7, "30": 30, "90": 90}


@workspace_view()
def analytics(request):
    days = PERIODS.get(request.GET.get("days", ""), 30)
    tz = timezone.get_current_timezone()
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    until = today + timedelta(days=1)
    since = until - timedelta(days=days)
    overview = workspace_overview(workspace=request.workspace, since=since, until=until)
    series = daily_engagement(workspace=request.workspace, since=since, until=until, tzinfo=tz)
    chart_data = {
        "days": [row["day"].isoformat() for row in series],
        "likes": [row["likes"] for row in series], "reposts": [row["reposts"] for row in series],
        "replies": [row["replies"] for row in series],
        "platforms": [p["label"] for p in overview["platforms"]],
        "platformPosted": [p["posted"] for p in overview["platforms"]],
        "platformEngagement": [p["likes"] + p["reposts"] + p["replies"] for p in overview["platforms"]],
    }
    return page(request, "app/analytics.html", {
        "overview": overview, "series": series, "chart_data": chart_data, "days": days, "periods": PERIODS,
        "top": top_posts(workspace=request.workspace, since=since, until=until), "page_title": "Analytics",
    })


@workspace_view()
def problems(request):
    page_obj, base = paginate(request, problem_targets(request.workspace))
    return page(request, "app/problems.html", {
        "page_obj": page_obj, "querystring_base": base, "page_title": "Problems",
        "accounts": list(accounts_needing_reconnect(request.workspace)[:50]),
        "orphans": list(disconnected_posts(request.workspace)[:50]),
    })
