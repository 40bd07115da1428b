"""Connecting a Threads account (Meta's "Get Access Tokens and Permissions" and "Long-Lived Access Tokens"):

1. `authorization_url`: https://threads.net/oauth/authorize with client_id, redirect_uri, scope, state.
   Threads documents no PKCE, so the verifier our state machinery makes is not sent.
2. `exchange_code`: POST graph.threads.net/oauth/access_token (form: client_id, client_secret, code,
   grant_type=authorization_code, redirect_uri) -> short-lived token (1 hour) and user_id; then
   GET /access_token?grant_type=th_exchange_token -> long-lived token (60 days, `expires_in`);
   then GET /v1.0/me for id, username and name.
3. `refresh`: GET /refresh_access_token?grant_type=th_refresh_token with the current long-lived token
   (it must be at least 24 hours old and unexpired) -> a new 60-day token. There is no refresh token.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone

from ..base import AccountDisconnected, AccountProfile, InvalidContent, PlatformError, TokenExpired, TokenSet, TransientError
from .client import ThreadsClient

# threads_read_replies: a first comment whose answer was lost is looked for among the post's replies
# (GET /{media-id}/replies); accounts connected before it was asked for must reconnect to grant it.
SCOPES = ("threads_basic", "threads_content_publish", "threads_manage_insights", "threads_delete", "threads_read_replies")
PROFILE_FIELDS = "id,username,name"


def authorization_url(*, state: str, redirect_uri: str) -> str:
    query = urlencode(
        {"client_id": settings.THREADS_APP_ID, "redirect_uri": redirect_uri, "scope": ",".join(SCOPES),
         "response_type": "code", "state": state}
    )
    return f"{settings.THREADS_AUTHORIZE_URL}?{query}"


def exchange_code(*, code: str, redirect_uri: str) -> AccountProfile:
    client = ThreadsClient()
    try:
        short = client.post(
            "oauth/access_token",
            {"client_id": settings.THREADS_APP_ID, "client_secret": settings.THREADS_APP_SECRET, "code": code,
             "grant_type": "authorization_code", "redirect_uri": redirect_uri},
            what="authorization", versioned=False, auth=False,
        )
        if not short.get("access_token"):
            raise PlatformError("Threads accepted the authorization but sent no access token.")
        long = client.get(
            "access_token",
            {"grant_type": "th_exchange_token", "client_secret": settings.THREADS_APP_SECRET, "access_token": short["access_token"]},
            what="long-lived token exchange", versioned=False, auth=False,
        )
    except AccountDisconnected as exc:  # a refused code is not an account to reconnect yet
        raise PlatformError(f"Threads refused the authorization: {exc.message}") from exc
    tokens = token_set(long)
    me = ThreadsClient(tokens.access_token).get("me", {"fields": PROFILE_FIELDS}, what="profile")
    return profile_from(me, tokens)


def refresh(access_token: str) -> TokenSet:
    """A new 60-day token. An expired or revoked one cannot be renewed (AccountDisconnected); any other
    refusal (a token younger than 24 hours) is temporary: the daily job tries again."""
    try:
        answer = ThreadsClient().get(
            "refresh_access_token", {"grant_type": "th_refresh_token", "access_token": access_token},
            what="token refresh", versioned=False, auth=False,
        )
    except TokenExpired as exc:
        raise AccountDisconnected("The Threads access token expired before it could be renewed; reconnect the account.") from exc
    except InvalidContent as exc:
        raise TransientError(f"Threads did not renew the access token yet: {exc.message}") from exc
    return token_set(answer)


def token_set(answer: dict) -> TokenSet:
    token = answer.get("access_token")
    if not token:
        raise PlatformError("Threads sent no access token.")
    expires_in = answer.get("expires_in")
    expires_at = timezone.now() + timedelta(seconds=int(expires_in)) if expires_in else None
    return TokenSet(access_token=str(token), expires_at=expires_at)


def profile_from(me: dict, tokens: TokenSet | None) -> AccountProfile:
    username = str(me.get("username") or me["id"])
    return AccountProfile(
        platform_user_id=str(me["id"]), platform_username=username, display_name=str(me.get("name") or username),
        tokens=tokens, platform="threads",
    )
