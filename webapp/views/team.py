"""Team: the workspace's members and roles, the plan and its quota used.

INTEGRATION POINT (hardening branch): adding by email (`member_add`) is replaced by invitations;
when `invitation_create/accept/revoke` land, `AddMemberForm` becomes an invitation form calling
`invitation_create`, and pending invitations are listed under the members with a revoke button."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from accounts.models import Membership
from accounts.services import member_add, member_change_role, member_remove
from accounts.throttling import quota_usage

from ..context import workspace_view
from ..errors import SERVICE_ERRORS, add_service_errors, flash_service_error
from ..render import page, paginate


class AddMemberForm(forms.Form):
    email = forms.EmailField(label="Email of a registered user")
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.EDITOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


@workspace_view(write_role=Membership.Role.ADMIN)
def team(request):
    form = AddMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member_add(workspace=request.workspace, actor=request.user, email=form.cleaned_data["email"], role=form.cleaned_data["role"])
        except SERVICE_ERRORS as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Added {form.cleaned_data['email']}.")
            return redirect("webapp:team")
    members = Membership.objects.filter(workspace=request.workspace).select_related("user").order_by("user__username", "id")
    page_obj, base = paginate(request, members)
    return page(request, "app/team.html", {
        "form": form, "page_obj": page_obj, "querystring_base": base, "roles": Membership.Role.choices,
        "quota": quota_usage(request.workspace), "page_title": "Team",
    }, status=400 if form.errors else 200)


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
