from rest_framework.permissions import SAFE_METHODS, BasePermission

from .context import request_membership
from .models import Membership


class WorkspaceRole(BasePermission):
    """Role needed in the request's workspace. Views set `read_role` (default viewer) and
    `write_role` (default editor); an action may set `required_role` in its decorator kwargs."""

    message = "Your role in this workspace does not allow this."

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        membership = request_membership(request)
        needed = getattr(view, "required_role", None)
        if needed is None:
            if request.method in SAFE_METHODS:
                needed = getattr(view, "read_role", Membership.Role.VIEWER)
            else:
                needed = getattr(view, "write_role", Membership.Role.EDITOR)
        return membership.has_role(needed)
