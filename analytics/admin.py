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
    exclude = ["workspace", "account", "platform"]


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
