"""Connecting a Reddit account: OAuth 2.0 authorization code with `duration=permanent`, so Reddit
issues a refresh token (Reddit does not support PKCE). praw keeps the 1-hour access token fresh from
that refresh token by itself; the adapter stores the refresh token (encrypted) and no expiry."""

from __future__ import annotations

import prawcore
from django.conf import settings

from ..base import AccountProfile, PlatformError, TokenSet
from .client import build
from .errors import translate

# identity: who connected; submit: post; read + history: fetch our posts and the user's submissions
# (metrics, reconcile); edit: delete our posts; flair: choose link flair.
SCOPES = ("identity", "submit", "read", "history", "edit", "flair")


def authorization_url(*, state: str, redirect_uri: str) -> str:
    return build(redirect_uri=redirect_uri).auth.url(scopes=list(SCOPES), state=state, duration="permanent")


def exchange_code(*, code: str, redirect_uri: str) -> AccountProfile:
    reddit = build(redirect_uri=redirect_uri)
    try:
        refresh_token = reddit.auth.authorize(code)
        granted = reddit.auth.scopes()
        me = reddit.user.me()
    except prawcore.OAuthException as exc:
        raise PlatformError(f"Reddit refused the authorization code ({exc.error}); start connecting again.") from exc
    except Exception as exc:  # noqa: BLE001 - every praw failure is translated
        error = translate(exc, what="authorization")
        raise PlatformError(f"Reddit did not complete the authorization: {error.message}") from exc
    if not refresh_token:
        raise PlatformError("Reddit sent no refresh token; the authorization must be permanent.")
    missing = [s for s in SCOPES if s not in granted and "*" not in granted]
    if missing:
        raise PlatformError(f"Reddit did not grant the permissions the scheduler needs: {', '.join(missing)}.")
    return AccountProfile(
        platform_user_id=str(me.id), platform_username=str(me.name), display_name=f"u/{me.name}",
        tokens=TokenSet(access_token=reddit._core._authorizer.access_token or "", refresh_token=refresh_token),
        platform="reddit", platform_settings={"scopes": sorted(granted)},
    )


def refresh(refresh_token: str) -> TokenSet:
    """A new access token now (the engine asks after a 401). invalid_grant: AccountDisconnected."""
    if not settings.REDDIT_CLIENT_ID:
        raise PlatformError("Reddit is not configured on this server: set REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET.")
    reddit = build(refresh_token=refresh_token)
    authorizer = reddit._core._authorizer
    try:
        authorizer.refresh()
    except Exception as exc:  # noqa: BLE001
        raise translate(exc, what="token refresh") from exc
    rotated = authorizer.refresh_token if authorizer.refresh_token != refresh_token else ""
    return TokenSet(access_token=authorizer.access_token, refresh_token=rotated or "")
