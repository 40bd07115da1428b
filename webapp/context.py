"""The workspace a web request acts in: the one the user picked with the switcher (kept in the
session), else their personal workspace, as the API does without X-Workspace. A workspace the user is
not a member of answers 404, exactly like a missing one."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect

from accounts.context import default_membership
from accounts.models import Membership

Role = Membership.Role
SESSION_KEY = "workspace_id"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class NoWorkspace(Http404):
    """The user belongs to no workspace (made by staff with createuser or the ORM, or removed from their
    last one). Pages send them to the page where they create one or learn to ask for an invitation."""


def session_membership(request):
    cached = getattr(request, "_web_membership", None)
    if cached is not None:
        return cached
    memberships = Membership.objects.select_related("workspace").filter(user=request.user)
    chosen = request.session.get(SESSION_KEY)
    membership = memberships.filter(workspace_id=chosen).first() if chosen else None
    if membership is None:
        membership = default_membership(request.user)
    if membership is None:
        raise NoWorkspace("You are not a member of any workspace.")
    request._web_membership = membership
    return membership


def can(membership, role):
    return membership.has_role(role)


def workspace_view(*, write_role=Role.EDITOR, read_role=Role.VIEWER):
    """Login required; sets request.membership and request.workspace; a read (GET) needs
    `read_role`, anything else `write_role` (403 otherwise: the page's buttons already say why)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                membership = session_membership(request)
            except NoWorkspace:
                return redirect("webapp:no_workspace")
            needed = read_role if request.method in SAFE_METHODS else write_role
            if not membership.has_role(needed):
                raise PermissionDenied(f"Your role ({membership.get_role_display()}) cannot do this; ask a workspace {needed} or above.")
            request.membership = membership
            request.workspace = membership.workspace
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
