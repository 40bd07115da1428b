import json

from django.contrib import admin
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from ..models import ConnectedAccount, OAuthApp, OAuthState, PendingConnection
from ..services.accounts import account_deactivate, platform_settings_shown
from .common import ACCOUNT_SECRETS, ReadOnlyMixin, run_per_object


@admin.register(ConnectedAccount)
class ConnectedAccountAdmin(admin.ModelAdmin):
    list_display = ["__str__", "workspace", "display_name", "is_active", "needs_reconnect", "has_credentials", "token_expires_at", "created_at"]
    list_filter = ["platform", "is_active", "needs_reconnect"]
    search_fields = ["platform_username", "display_name", "platform_user_id", "instance_url", "workspace__name"]
    list_select_related = ["workspace"]
    # platform_settings is shown without credential-like keys (as the API shows it), never as an editable
    # JSON field that would print them; the network's limits are refreshed from the network anyway.
    exclude = [*ACCOUNT_SECRETS, "platform_settings"]
    readonly_fields = [
        "workspace", "platform", "platform_user_id", "platform_username", "instance_url", "is_active", "needs_reconnect",
        "has_credentials", "settings", "token_expires_at", "limits_refreshed_at", "last_error", "connected_by", "created_at",
        "updated_at",
    ]
    actions = ["deactivate"]

    def get_queryset(self, request):
        # Tokens stay deferred: never decrypted here, and saving the form never rewrites them.
        has_token = ExpressionWrapper(~Q(access_token=""), output_field=BooleanField())
        return super().get_queryset(request).defer(*ACCOUNT_SECRETS).annotate(has_token=has_token)

    def has_add_permission(self, request):
        return False  # accounts are connected through the networks' OAuth flows

    @admin.display(boolean=True, description="credentials", ordering="has_token")
    def has_credentials(self, account):
        return account.has_token

    @admin.display(description="platform settings")
    def settings(self, account):
        return json.dumps(platform_settings_shown(account.platform_settings or {}), indent=2, sort_keys=True, default=str)

    @admin.action(description="Deactivate (pending targets fail; reconnect to resume)", permissions=["change"])
    def deactivate(self, request, queryset):
        run_per_object(self, request, queryset, lambda account: account_deactivate(account=account), "account(s) deactivated")


@admin.register(OAuthApp)
class OAuthAppAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Deleting an app makes the next connect to that instance register a fresh one."""

    list_display = ["platform", "instance_url", "client_id", "created_at"]
    list_filter = ["platform"]
    search_fields = ["instance_url", "client_id"]
    exclude = ["client_secret"]
    readonly_fields = ["platform", "instance_url", "client_id", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("client_secret")


@admin.register(OAuthState)
class OAuthStateAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "platform", "user", "workspace", "instance_url", "created_at", "expires_at", "expired"]
    list_filter = ["platform"]
    search_fields = ["user__username", "workspace__name", "instance_url"]
    list_select_related = ["user", "workspace"]
    exclude = ["state", "code_verifier"]
    readonly_fields = ["platform", "user", "workspace", "instance_url", "redirect_uri", "created_at", "expires_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("state", "code_verifier")

    @admin.display(boolean=True)
    def expired(self, oauth_state):
        return oauth_state.expires_at <= timezone.now()


@admin.register(PendingConnection)
class PendingConnectionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Callbacks waiting for their user's confirmation; the token hash and the secrets stay hidden."""

    list_display = ["id", "platform", "user", "workspace", "candidate_count", "created_at", "expires_at", "completed_at"]
    list_filter = ["platform"]
    search_fields = ["user__username", "workspace__name"]
    list_select_related = ["user", "workspace"]
    exclude = ["token_hash", "secrets"]
    readonly_fields = ["platform", "user", "workspace", "candidates", "created_at", "expires_at", "completed_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("token_hash", "secrets")

    @admin.display(description="candidates")
    def candidate_count(self, pending):
        return len(pending.candidates)
