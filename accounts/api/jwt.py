"""Refresh-token rotation and logout that hold under concurrency.

simplejwt checks the blacklist and then blacklists in two steps, so two requests presenting the same
refresh token at once could both get a fresh pair. Here the token's OutstandingToken row is locked
while it is checked and blacklisted: each refresh token is spent exactly once. A token whose user
was deleted or deactivated is refused with 401 (simplejwt answers 500 for a deleted user).
"""

from django.db import transaction
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import login_limits
from accounts.models import User


def _spend(raw):
    """Verify `raw` and blacklist it atomically; returns the RefreshToken. Raises InvalidToken (401)."""
    try:
        token = RefreshToken(raw)
    except TokenError as exc:
        raise InvalidToken(exc.args[0]) from exc
    user = User.objects.filter(**{api_settings.USER_ID_FIELD: token.payload.get(api_settings.USER_ID_CLAIM)}).first()
    if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
        raise InvalidToken("No active account found for the given token.")
    token.outstand()
    outstanding = OutstandingToken.objects.select_for_update().get(jti=token[api_settings.JTI_CLAIM])
    _, created = BlacklistedToken.objects.get_or_create(token=outstanding)
    if not created:
        raise InvalidToken("Token is blacklisted")
    return token, user


class RotatingRefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(write_only=True)

    def validate(self, attrs):
        with transaction.atomic():
            token, user = _spend(attrs["refresh"])
        fresh = RefreshToken.for_user(user)
        return {"access": str(fresh.access_token), "refresh": str(fresh)}


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField(write_only=True)

    def validate(self, attrs):
        with transaction.atomic():
            _spend(attrs["refresh"])
        return {}


class LimitedLoginSerializer(TokenObtainPairSerializer):
    """simplejwt's login under the password guessing limits (per address and account, and per account
    for addresses the account never signed in from; the per-IP one is the anonymous throttle).
    accounts/login_limits.py, shared with /login/ and /admin/login/."""

    def validate(self, attrs):
        username = attrs.get(self.username_field, "")
        request = self.context.get("request")
        try:
            login_limits.account_check(request, username)
        except login_limits.LoginThrottled as exc:
            raise Throttled(wait=exc.wait, detail=exc.message)
        try:
            data = super().validate(attrs)
        except AuthenticationFailed:
            login_limits.account_failed(request, username)
            raise
        login_limits.account_succeeded(request, username)
        return data
