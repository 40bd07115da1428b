"""Which workspace a request acts in: the one named by the X-Workspace header, else the user's
personal workspace. A workspace the user is not a member of is indistinguishable from a missing one (404)."""

from rest_framework.exceptions import NotFound, ValidationError

from .models import Membership

HEADER = "HTTP_X_WORKSPACE"


def request_membership(request):
    """The requesting user's Membership in the workspace the request acts in (cached on the request)."""
    cached = getattr(request, "_workspace_membership", None)
    if cached is not None:
        return cached
    raw = request.META.get(HEADER, "").strip()
    memberships = Membership.objects.select_related("workspace").filter(user=request.user)
    if raw:
        if not raw.isdigit():
            raise ValidationError({"X-Workspace": ["Must be a workspace id."]})
        membership = memberships.filter(workspace_id=int(raw)).first()
    else:
        membership = memberships.filter(workspace__personal_owner=request.user).first() or memberships.order_by("id").first()
    if membership is None:
        raise NotFound("Workspace not found.")
    request._workspace_membership = membership
    return membership


def request_workspace(request):
    return request_membership(request).workspace
