"""JWT authentication that reads the user and the membership the request acts in with one query.

simplejwt reads the user by id, then the workspace context (accounts/context.py) reads the user's
membership: two queries on every API call. Here the membership named by X-Workspace (else the personal
workspace's) is read with its user and workspace in one query and kept on the request, where
`request_membership` finds it. When there is no such membership (not a member, a malformed header, no
personal workspace, an inactive user), simplejwt's own lookup and checks run unchanged, and the workspace
context answers 400/404 as before."""

from rest_framework_simplejwt.authentication import JWTAuthentication as SimpleJWTAuthentication
from rest_framework_simplejwt.settings import api_settings

from .context import HEADER, parse_id
from .models import Membership


class JWTAuthentication(SimpleJWTAuthentication):
    def authenticate(self, request):
        self.request = request  # DRF makes one authenticator per request
        return super().authenticate(request)

    def get_user(self, validated_token):
        membership = self._membership(validated_token)
        if membership is None or not membership.user.is_active or api_settings.CHECK_REVOKE_TOKEN:
            return super().get_user(validated_token)  # its errors: user not found, inactive, password changed
        self.request._workspace_membership = membership
        return membership.user

    def _membership(self, validated_token):
        user_id = validated_token.get(api_settings.USER_ID_CLAIM)
        if user_id is None or api_settings.USER_ID_FIELD != "id":
            return None
        memberships = Membership.objects.select_related("user", "workspace").filter(user_id=user_id)
        raw = self.request.META.get(HEADER, "").strip()
        if raw:
            workspace_id = parse_id(raw)
            return memberships.filter(workspace_id=workspace_id).first() if workspace_id is not None else None
        return memberships.filter(workspace__personal_owner_id=user_id).first()
