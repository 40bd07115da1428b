from django.contrib import admin
from django.utils.text import Truncator

from .models import AnalyticsSnapshot, PostAnalytics

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
    list_display = ["target", "platform", "post", "likes", "reposts", "replies", "impressions", "clicks", "updated_at"]
    list_filter = ["target__account__platform", "updated_at"]
    search_fields = ["target__platform_post_id", "target__post__content", "target__account__platform_username"]
    list_select_related = ["target__post", "target__account"]
    readonly_fields = ["target", "likes", "reposts", "replies", "impressions", "clicks", "platform_metrics", "updated_at"]


@admin.register(AnalyticsSnapshot)
class AnalyticsSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["id", "target", "platform", "post", "captured_at", "snapshot_data"]
    list_filter = ["target__account__platform", "captured_at"]
    search_fields = ["target__platform_post_id", "target__post__content"]
    list_select_related = ["target__post", "target__account"]
    readonly_fields = ["target", "snapshot_data", "captured_at"]
    date_hierarchy = "captured_at"
