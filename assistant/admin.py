from django.contrib import admin
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate

from .models import AssistantRequest, BrandVoice


@admin.register(BrandVoice)
class BrandVoiceAdmin(admin.ModelAdmin):
    list_display = ["workspace", "tone", "language", "emoji", "hashtags", "updated_at"]
    list_select_related = ["workspace"]
    search_fields = ["workspace__name", "description", "tone"]
    readonly_fields = ["updated_at", "updated_by"]
    autocomplete_fields = ["workspace"]


@admin.register(AssistantRequest)
class AssistantRequestAdmin(admin.ModelAdmin):
    """What the assistant costs: every request with its tokens, and a per-day, per-workspace summary
    above the list (for the rows the filters select)."""

    list_display = ["created_at", "workspace", "user", "feature", "provider", "model", "calls", "tokens_in", "tokens_out", "latency_ms", "outcome"]
    list_filter = ["feature", "outcome", "provider", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["workspace", "user"]
    search_fields = ["workspace__name", "user__username", "model"]
    date_hierarchy = "created_at"
    change_list_template = "admin/assistant/assistantrequest/change_list.html"
    readonly_fields = [f.name for f in AssistantRequest._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context=extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            response.context_data["usage_by_day"] = (
                changelist.queryset.order_by()
                .annotate(day=TruncDate("created_at"))
                .values("day", "workspace__name")
                .annotate(requests=Count("id"), tokens_in=Sum("tokens_in"), tokens_out=Sum("tokens_out"))
                .order_by("-day", "workspace__name")[:60]
            )
        return response
