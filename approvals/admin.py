"""Approval history and review links in the admin. The post admin (social_media/admin/posts.py)
shows a post's history inline and has approve/reject actions; all of them call approvals.services."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from social_media.admin.common import run_per_object

from . import services
from .models import ApprovalEvent, ReviewLink


def approval_history_html(post):
    """The post's approval history as a list (a read-only field of the post admin: no formset to post)."""
    if not post or not post.pk:
        return "-"
    events = services.post_history(post)
    if not events:
        return "-"
    return format_html("<ol>{}</ol>", format_html_join("", "<li>{} · {} · {}{}</li>", (
        (e.created_at.strftime("%Y-%m-%d %H:%M"), e.get_kind_display(), e.who, f": {e.comment}" if e.comment else "") for e in events)))


class ApprovalEventInline(admin.TabularInline):
    model = ApprovalEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "actor", "reviewer_name", "comment", "scheduled_time"]
    readonly_fields = fields
    ordering = ["created_at", "id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApprovalEvent)
class ApprovalEventAdmin(admin.ModelAdmin):
    list_display = ["id", "post", "kind", "actor", "reviewer_name", "created_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["comment", "reviewer_name", "actor__username", "post__content"]
    list_select_related = ["post", "actor"]
    readonly_fields = ["post", "kind", "actor", "review_link", "reviewer_name", "comment", "scheduled_time", "created_at"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReviewLink)
class ReviewLinkAdmin(admin.ModelAdmin):
    """Review links (the token itself is never stored: only its SHA-256, not shown)."""

    list_display = ["id", "post", "status", "created_by", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["created_at", "revoked_at"]
    search_fields = ["post__content", "created_by__username"]
    list_select_related = ["post", "created_by"]
    exclude = ["token_hash"]
    readonly_fields = ["post", "created_by", "created_at", "expires_at", "revoked_at", "revoked_by", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke (the link stops working)", permissions=["change"])
    def revoke(self, request, queryset):
        run_per_object(self, request, queryset.select_related("post__workspace"),
                       lambda link: services.review_link_revoke(link=link, actor=request.user), "review link(s) revoked")
