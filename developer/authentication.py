"""Personal API tokens: `Authorization: Bearer sched_pat_…`, beside the JWT of the same header.

A token acts as its user in its workspace only (an X-Workspace naming another is a 404), with the
user's role there, and a read-only token refuses every unsafe method (403). Revoked, expired or unknown
tokens are a 401; so is a token whose user left the workspace."""

import secrets
from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotFound, PermissionDenied

from accounts.authentication import MEMBERSHIP_ROW
from accounts.context import HEADER, parse_id

from .models import ApiToken, token_digest

TOKEN_PREFIX = "sched_pat_"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
LAST_USED_EVERY = timedelta(minutes=1)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def bearer_token(request) -> str | None:
    scheme, _, raw = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    raw = raw.strip()
    return raw if scheme.lower() == "bearer" and raw.startswith(TOKEN_PREFIX) else None


def token_membership(raw: str, *, workspace_header: str = "", method: str = "GET"):
    """(membership, token) for a raw token, or the API error that refuses it."""
    token = ApiToken.objects.filter(token_hash=token_digest(raw)).first()
    if token is None or not token.is_usable:
        raise AuthenticationFailed("This API token is unknown, revoked or expired.", code="token_not_valid")
    if workspace_header.strip() and parse_id(workspace_header.strip()) != token.workspace_id:
        raise NotFound("Workspace not found.")
    membership = MEMBERSHIP_ROW.in_workspace(token.user_id, token.workspace_id)
    if membership is None or not membership.user.is_active:
        raise AuthenticationFailed("This API token's user is no longer an active member of its workspace.", code="token_not_valid")
    if token.scope == ApiToken.Scope.READ and method not in SAFE_METHODS:
        raise PermissionDenied("This API token is read-only; create a read and write token to change things.")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return membership, token


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        raw = bearer_token(request)
        if raw is None:
            return None  # not ours: the JWT authenticator reads the header
        membership, token = token_membership(raw, workspace_header=request.META.get(HEADER, ""), method=request.method)
        request._workspace_membership = membership
        return membership.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "developer.authentication.ApiTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal API token (sched_pat_…), created at /api/v1/auth/tokens/."}
