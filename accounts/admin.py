from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet, ModelForm
from rest_framework_simplejwt.token_blacklist.admin import OutstandingTokenAdmin as JWTOutstandingTokenAdmin
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from . import services
from .admin_login import LimitedAdminAuthenticationForm
from .models import Invitation, Membership, User, Workspace


class UserAddForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email", "timezone")


class UserMembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ["workspace", "role", "created_at"]
    readonly_fields = ["workspace", "role", "created_at"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserAddForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "timezone", "usable_password", "password1", "password2")}),
    )
    fieldsets = DjangoUserAdmin.fieldsets + (("Preferences", {"fields": ("timezone",)}),)
    list_display = ["username", "email", "timezone", "is_staff", "is_active", "date_joined", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "timezone"]
    search_fields = ["username", "email", "first_name", "last_name"]
    inlines = [UserMembershipInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:  # as at registration: every user has a personal workspace
            services.personal_workspace_create(user=obj)


class MembershipInlineFormSet(BaseInlineFormSet):
    """A workspace keeps at least one owner, and a personal workspace keeps its owner as owner."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        owners = {
            form.cleaned_data["user"].pk
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("role") == Membership.Role.OWNER
        }
        if not owners:
            raise ValidationError("A workspace needs at least one owner.")
        personal_owner_id = self.instance.personal_owner_id
        if personal_owner_id and personal_owner_id not in owners:
            raise ValidationError("The owner of a personal workspace must stay one of its owners.")


class WorkspaceMembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipInlineFormSet
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "plan", "personal_owner", "member_count", "created_at"]
    list_filter = ["plan", ("personal_owner", admin.EmptyFieldListFilter), "created_at"]
    list_select_related = ["personal_owner"]
    search_fields = ["name", "personal_owner__username", "memberships__user__username", "memberships__user__email"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["personal_owner"]
    inlines = [WorkspaceMembershipInline]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships", distinct=True))

    @admin.display(ordering="member_count", description="members")
    def member_count(self, workspace):
        return workspace.member_count


class MembershipForm(ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "workspace", "role"]

    def clean(self):
        cleaned = super().clean()
        stored = Membership.objects.filter(pk=self.instance.pk).select_related("workspace").first()
        if stored and (cleaned.get("role") != stored.role or cleaned.get("workspace") != stored.workspace):
            try:
                services.owner_kept_check(workspace=stored.workspace, membership=stored, action="demoted or moved")
            except services.WorkspaceConflict as exc:
                raise ValidationError(exc.message) from exc
        return cleaned


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role", "workspace__plan"]
    list_select_related = ["user", "workspace"]
    search_fields = ["user__username", "user__email", "workspace__name"]
    autocomplete_fields = ["user", "workspace"]
    readonly_fields = ["created_at"]
    actions = None  # no bulk delete: each removal is checked against the last-owner rule

    def has_delete_permission(self, request, obj=None):
        if obj is not None:
            try:
                services.owner_kept_check(workspace=obj.workspace, membership=obj, action="removed")
            except services.WorkspaceConflict:
                return False
        return super().has_delete_permission(request, obj)


# simplejwt's admin shows each outstanding refresh token in full: a live credential. Show only its id.
admin.site.unregister(OutstandingToken)


@admin.register(OutstandingToken)
class OutstandingTokenAdmin(JWTOutstandingTokenAdmin):
    exclude = ["token"]
    list_select_related = ["user"]

    def get_readonly_fields(self, *args, **kwargs):
        return [name for name in super().get_readonly_fields(*args, **kwargs) if name != "token"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are created by workspace admins (API, web app); staff look, and may delete."""

    list_display = ["email", "workspace", "role", "status", "invited_by", "created_at", "expires_at"]
    list_filter = ["role"]
    search_fields = ["email", "workspace__name"]
    list_select_related = ["workspace", "invited_by"]
    exclude = ["token_hash"]
    readonly_fields = ["workspace", "email", "role", "invited_by", "created_at", "expires_at", "accepted_at", "accepted_by", "revoked_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.login_form = LimitedAdminAuthenticationForm
