"""Personal API tokens: create (the token is returned once), list, revoke."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Membership

from .authentication import new_token
from .models import ApiToken, token_digest

MAX_TOKENS_PER_USER = 50


def token_create(*, user, workspace, name, scope, expires_at=None) -> tuple[ApiToken, str]:
    if not Membership.objects.filter(user=user, workspace=workspace).exists():
        raise ValidationError({"workspace": ["You are not a member of this workspace."]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": ["Must be in the future."]})
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_TOKENS_PER_USER:
        raise ValidationError({"name": [f"You have {MAX_TOKENS_PER_USER} tokens; revoke one first."]})
    raw = new_token()
    token = ApiToken.objects.create(
        user=user, workspace=workspace, name=name, scope=scope, expires_at=expires_at, prefix=raw[:14], token_hash=token_digest(raw)
    )
    return token, raw


def token_revoke(*, token) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
