"""Which workspace a request acts in: the one named by the X-Workspace header, else the user's
personal workspace. A workspace the user is not a member of is indistinguishable from a missing one (404)."""

from rest_framework.exceptions import NotFound, ValidationError

from config import log_context
from config.numbers import MAX_ID, digits

from .models import Membership

HEADER = "HTTP_X_WORKSPACE"


def request_membership(request):
    """The requesting user's Membership in the workspace the request acts in (cached on the request)."""
    cached = getattr(request, "_workspace_membership", None)
    if cached is not None:
        if log_context.current().get("workspace_id") != cached.workspace_id:
            log_context.bind(workspace_id=cached.workspace_id)  # the request's lines name its workspace
        return cached
    raw = request.META.get(HEADER, "").strip()
    memberships = Membership.objects.select_related("workspace").filter(user=request.user)
    if raw:
        if digits(raw) is None:
            raise ValidationError({"X-Workspace": ["Must be a workspace id."]})
        workspace_id = parse_id(raw)
        membership = memberships.filter(workspace_id=workspace_id).first() if workspace_id is not None else None
    else:
        membership = default_membership(request.user)
    if membership is None:
        raise NotFound("Workspace not found.")
    request._workspace_membership = membership
    log_context.bind(workspace_id=membership.workspace_id)  # the request's lines name its workspace
    return membership


def parse_id(raw):
    """A row id from text, or None when the text cannot name a row (not ASCII digits, beyond bigint)."""
    value = digits(raw) if len(str(raw)) <= len(str(MAX_ID)) else None
    return value if value is not None and value <= MAX_ID else None


def default_membership(user):
    """The membership a request without X-Workspace acts in: the personal workspace, else the oldest
    membership; None for a user who belongs to no workspace (e.g. made with createsuperuser)."""
    memberships = Membership.objects.select_related("workspace").filter(user=user)
    return memberships.filter(workspace__personal_owner=user).first() or memberships.order_by("id").first()


def has_workspace_header(request):
    return bool(request.META.get(HEADER, "").strip())


def request_workspace(request):
    return request_membership(request).workspace
