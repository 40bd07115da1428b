from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens by owner and workspace; the token itself is never stored, so never shown."""

    list_display = ["name", "prefix", "user", "workspace", "scope", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "workspace"]
    search_fields = ["name", "prefix", "user__username", "workspace__name"]
    exclude = ["token_hash"]
    readonly_fields = ["name", "prefix", "user", "workspace", "scope", "created_at", "last_used_at", "expires_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        from .services import token_revoke

        for token in queryset:
            token_revoke(token=token)
        self.message_user(request, f"Revoked {queryset.count()} token(s).")
