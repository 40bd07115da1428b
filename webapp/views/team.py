"""Team: the workspace's members and roles, invitations (nobody joins without accepting one), and the
plan with its quota used. Everything goes through accounts.services and accounts.invitations, as the API."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from django.contrib.auth.decorators import login_required

from accounts.invitations import invitation_accept, invitation_create, invitation_revoke
from accounts.models import Invitation, Membership
from accounts.services import member_change_role, member_remove, workspace_update
from accounts.throttling import quota_usage

from ..context import workspace_view
from ..errors import SERVICE_ERRORS, add_service_errors, flash_service_error
from ..render import page, paginate


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email address to invite")
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.EDITOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


@workspace_view(write_role=Membership.Role.ADMIN)
def team(request):
    if request.method == "POST" and request.POST.get("form") == "approval":
        return _approval_setting(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_create(workspace=request.workspace, actor=request.user, email=form.cleaned_data["email"], role=form.cleaned_data["role"])
        except SERVICE_ERRORS as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Invited {form.cleaned_data['email']}: they join once they accept the emailed link.")
            return redirect("webapp:team")
    members = Membership.objects.filter(workspace=request.workspace).select_related("user").order_by("user__username", "id")
    page_obj, base = paginate(request, members)
    invitations = [i for i in Invitation.objects.filter(workspace=request.workspace, accepted_at__isnull=True, revoked_at__isnull=True)
                   .select_related("invited_by").order_by("-created_at")[:100] if i.status == "pending"]
    return page(request, "app/team.html", {
        "form": form, "page_obj": page_obj, "querystring_base": base, "roles": Membership.Role.choices,
        "invitations": invitations, "quota": quota_usage(request.workspace), "page_title": "Team",
    }, status=400 if form.errors else 200)


def _approval_setting(request):
    """The workspace's "posts need approval" setting (approvals/), through accounts.services as the API."""
    on = bool(request.POST.get("requires_approval"))
    try:
        workspace_update(workspace=request.workspace, actor=request.user, requires_approval=on)
    except SERVICE_ERRORS as exc:
        flash_service_error(request, exc)
    else:
        messages.success(request, "Posts now need approval: editors submit, admins and owners approve." if on else "Posts no longer need approval.")
    return redirect("webapp:team")


@require_POST
@workspace_view(write_role=Membership.Role.ADMIN)
def invitation_withdraw(request, invitation_id):
    invitation = get_object_or_404(Invitation, workspace=request.workspace, pk=invitation_id)
    try:
        invitation_revoke(invitation=invitation, actor=request.user)
    except SERVICE_ERRORS as exc:
        flash_service_error(request, exc)
    else:
        messages.success(request, f"The invitation of {invitation.email} was withdrawn.")
    return redirect("webapp:team")


@require_POST
@login_required
def invitation_join(request, token):
    """Accept an invitation as the signed-in user (the emailed link's page posts here)."""
    try:
        membership = invitation_accept(user=request.user, token=token)
    except SERVICE_ERRORS as exc:
        flash_service_error(request, exc)
        return redirect("webapp:home")
    request.session["workspace_id"] = membership.workspace_id
    messages.success(request, f"You joined {membership.workspace.name} as {membership.get_role_display()}.")
    return redirect("webapp:home")


@require_POST
@workspace_view(write_role=Membership.Role.VIEWER)
def member_change(request, membership_id):
    """Change a member's role, or remove them (anyone may leave); the service checks who may."""
    membership = get_object_or_404(Membership, workspace=request.workspace, pk=membership_id)
    try:
        if request.POST.get("remove"):
            member_remove(membership=membership, actor=request.user)
            messages.success(request, f"{membership.user.username} is no longer a member.")
        else:
            form = RoleForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Choose one of the roles.")
                return redirect("webapp:team")
            member_change_role(membership=membership, actor=request.user, role=form.cleaned_data["role"])
            messages.success(request, f"{membership.user.username} is now {form.cleaned_data['role']}.")
    except SERVICE_ERRORS as exc:
        flash_service_error(request, exc)
    if request.POST.get("remove") and membership.user_id == request.user.pk:
        request.session.pop("workspace_id", None)
        return redirect("webapp:home")
    return redirect("webapp:team")
