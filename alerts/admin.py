from django.contrib import admin, messages

from . import services
from .models import Alert, TokenRefreshLog, WorkerHeartbeat


class OpenFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", "Open"), ("no", "Cleared")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(cleared_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(cleared_at__isnull=False)
        return queryset


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["kind", "subject", "message", "first_seen_at", "last_seen_at", "cleared_at", "notified_at", "acknowledged_at", "acknowledged_by"]
    list_filter = ["kind", OpenFilter, ("acknowledged_at", admin.EmptyFieldListFilter)]
    list_select_related = ["acknowledged_by"]
    search_fields = ["message", "subject"]
    readonly_fields = [f.name for f in Alert._meta.fields]
    actions = ["acknowledge"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Acknowledge (not sent again while it stays true)")
    def acknowledge(self, request, queryset):
        count = services.alerts_acknowledge(alerts=list(queryset), user=request.user)
        self.message_user(request, f"{count} alert(s) acknowledged.", messages.SUCCESS)


@admin.register(TokenRefreshLog)
class TokenRefreshLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "platform", "account", "outcome"]
    list_filter = ["outcome", "platform"]
    list_select_related = ["account"]
    readonly_fields = ["account", "platform", "outcome", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "queues", "last_seen_at"]
    readonly_fields = ["hostname", "queues", "last_seen_at"]
