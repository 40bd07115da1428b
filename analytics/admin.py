from django.contrib import admin
from django.utils.text import Truncator

from .models import AccountSnapshot, AnalyticsSnapshot, CollectionFailure, PostAnalytics

# Figures are written by the collectors from what the networks report; the admin shows them.
TARGET_PATH = "target__account"


def _without_tokens(queryset):
    return queryset.select_related("target__post", TARGET_PATH).defer(f"{TARGET_PATH}__access_token", f"{TARGET_PATH}__refresh_token")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return _without_tokens(super().get_queryset(request))

    @admin.display(description="platform", ordering="target__account__platform")
    def platform(self, row):
        return row.target.account.get_platform_display()

    @admin.display(description="post")
    def post(self, row):
        return Truncator(row.target.post.content).chars(50)


@admin.register(PostAnalytics)
class PostAnalyticsAdmin(ReadOnlyAdmin):
    list_display = ["target", "platform", "post", "likes", "reposts", "replies", "quotes", "impressions", "clicks", "saves", "views", "updated_at"]
    list_filter = ["target__account__platform", "updated_at"]
    search_fields = ["target__platform_post_id", "target__post__content", "target__account__platform_username"]
    list_select_related = ["target__post", "target__account"]
    readonly_fields = ["target", "likes", "reposts", "replies", "quotes", "impressions", "clicks", "saves", "views",
                       "engagement_total", "posted_at", "platform_metrics", "updated_at"]
    exclude = ["workspace", "post", "account", "platform"]
    change_list_template = "admin/analytics/postanalytics/change_list.html"

    def get_urls(self):
        return _insights_urls(self) + super().get_urls()


@admin.register(AnalyticsSnapshot)
class AnalyticsSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["id", "target", "platform", "post", "captured_at", "likes", "reposts", "replies", "impressions", "views"]
    list_filter = ["target__account__platform", "captured_at"]
    search_fields = ["target__platform_post_id", "target__post__content"]
    list_select_related = ["target__post", "target__account"]
    readonly_fields = ["target", "captured_at", "likes", "reposts", "replies", "quotes", "impressions", "clicks", "saves", "views", "extra"]
    date_hierarchy = "captured_at"


class AccountReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account").defer("account__access_token", "account__refresh_token")


@admin.register(AccountSnapshot)
class AccountSnapshotAdmin(AccountReadOnlyAdmin):
    list_display = ["account", "day", "followers", "following", "posts", "captured_at"]
    list_filter = ["account__platform", "day"]
    search_fields = ["account__platform_username"]
    readonly_fields = ["account", "day", "followers", "following", "posts", "extra", "captured_at"]
    date_hierarchy = "day"


@admin.register(CollectionFailure)
class CollectionFailureAdmin(AccountReadOnlyAdmin):
    """The last failed metrics reading of each target and account; a later success removes it."""

    list_display = ["failed_at", "kind", "account", "target", "error_class", "http_status", "failures", "message"]
    list_filter = ["kind", "error_class", "account__platform"]
    search_fields = ["account__platform_username", "message"]
    readonly_fields = ["kind", "account", "target", "error_class", "http_status", "message", "failures", "failed_at"]


# --- the staff insights page (issue 15) ---------------------------------------------------------------
PERIODS = {"7": 7, "30": 30, "90": 90}


def insights_context(request):
    """What the staff analytics page shows for one workspace: daily series, follower growth, top posts
    and a best-time heat map per account (analytics.insights, the same services as the API)."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Workspace
    from social_media.models import ConnectedAccount, without_secrets
    from .insights.best_times import best_times
    from .insights.heatmap import heat_rows
    from .insights.overview import overview
    from .insights.tz import workspace_timezone

    workspaces = list(Workspace.objects.order_by("name", "id").values_list("id", "name")[:500])
    chosen = request.GET.get("workspace", "")
    workspace = Workspace.objects.filter(pk=int(chosen)).first() if chosen.isdigit() and len(chosen) < 19 else None
    workspace = workspace or (Workspace.objects.filter(pk=workspaces[0][0]).first() if workspaces else None)
    days = PERIODS.get(request.GET.get("days", ""), 30)
    context = {"workspaces": workspaces, "workspace": workspace, "days": days, "periods": PERIODS, "heat_hours": range(24)}
    if workspace is None:
        return context
    tz = workspace_timezone(workspace=workspace)
    until = timezone.now()
    body = overview(workspace=workspace, tz=tz, since=until - timedelta(days=days), until=until)
    accounts = list(without_secrets(ConnectedAccount.objects.filter(workspace=workspace)).order_by("platform", "platform_username")[:12])
    maps = []
    for account in accounts:
        answer = best_times(account=account)
        maps.append({"account": account, "times": answer, "heat": heat_rows(answer)})
    context.update({
        "overview": body, "maps": maps,
        "chart_data": {
            "days": [row["day"].isoformat() for row in body["series"]],
            "engagement": [row["engagement"] for row in body["series"]],
            "posts": [row["posts"] for row in body["series"]],
            "followerDays": [row["day"].isoformat() for row in body["followers"]["series"]],
            "followers": [row["followers"] for row in body["followers"]["series"]],
        },
    })
    return context


def _insights_urls(model_admin):
    from django.template.response import TemplateResponse
    from django.urls import path

    def view(request):
        context = {**model_admin.admin_site.each_context(request), "title": "Analytics insights", "opts": model_admin.model._meta,
                   **insights_context(request)}
        return TemplateResponse(request, "admin/analytics/insights.html", context)

    return [path("insights/", model_admin.admin_site.admin_view(view), name="analytics_insights")]

