from django.contrib import admin

from . import services
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "workspace", "is_active", "consecutive_failures", "disabled_reason", "created_at"]
    list_filter = ["is_active"]
    list_select_related = ["workspace"]
    search_fields = ["url", "workspace__name"]
    exclude = ["secret"]  # a secret is never shown after creation
    readonly_fields = ["consecutive_failures", "disabled_reason", "created_by"]
    actions = ["send_test"]

    @admin.action(description="Send a test event")
    def send_test(self, request, queryset):
        for endpoint in queryset:
            services.emit_test(endpoint=endpoint)
        self.message_user(request, f"Test event queued for {queryset.count()} endpoint(s).")


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["sent_at", "status_code", "error", "duration_ms"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "endpoint", "event_type", "status", "attempts", "last_status_code", "last_error"]
    list_filter = ["status", "event_type"]
    list_select_related = ["endpoint"]
    search_fields = ["message_id", "endpoint__url"]
    readonly_fields = ["endpoint", "message_id", "event_type", "payload", "status", "attempts", "last_status_code", "last_error", "created_at", "delivered_at", "next_attempt_at"]
    inlines = [WebhookAttemptInline]

    def has_add_permission(self, request):
        return False
