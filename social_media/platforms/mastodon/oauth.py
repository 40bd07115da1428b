"""Connecting a Mastodon account: OAuth 2.0 authorization code with PKCE (S256, Mastodon >= 4.3).

1. `register_app` once per instance (`POST /api/v1/apps`); the caller stores the client pair.
2. `authorization_url` sends the user to `/oauth/authorize` with state and code_challenge.
3. `exchange_code` trades the code (+ code_verifier) at `/oauth/token`, then reads the account
   (`verify_credentials`) and the instance limits. Mastodon tokens do not expire.

Mastodon.py's `log_in` cannot send a code_verifier and hides the server's error, so the two OAuth
form posts are made directly; everything after the token goes through Mastodon.py.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings

from ..base import AccountProfile, PlatformError, TokenSet
from .client import Connection, normalize_instance_url
from .limits import read_instance_limits

# Least privilege: read our own profile and statuses (reconcile, metrics), upload media, post/delete.
SCOPES = ("read:accounts", "read:statuses", "write:media", "write:statuses")


def register_app(*, instance_url: str, redirect_uri: str) -> tuple[str, str]:
    conn = Connection(normalize_instance_url(instance_url))
    data = {"client_name": settings.MASTODON_APP_NAME, "redirect_uris": redirect_uri, "scopes": " ".join(SCOPES)}
    if settings.PUBLIC_BASE_URL.startswith("https://"):
        data["website"] = settings.PUBLIC_BASE_URL
    answer = conn.post_form("/api/v1/apps", data, what="app registration")
    client_id, client_secret = answer.get("client_id"), answer.get("client_secret")
    if not client_id or not client_secret:
        raise PlatformError("Mastodon registered the app but sent no client credentials.")
    return str(client_id), str(client_secret)


def authorization_url(*, state: str, redirect_uri: str, code_challenge: str, instance_url: str, oauth_app) -> str:
    base = normalize_instance_url(instance_url)
    _require_app(oauth_app)
    query = urlencode(
        {
            "client_id": oauth_app.client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "scope": " ".join(SCOPES),
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{base}/oauth/authorize?{query}"


def exchange_code(*, code: str, redirect_uri: str, code_verifier: str, instance_url: str, oauth_app) -> AccountProfile:
    base = normalize_instance_url(instance_url)
    _require_app(oauth_app)
    if not code:
        raise PlatformError("Mastodon did not send an authorization code; the authorization was denied or cancelled.")
    answer = Connection(base).post_form(
        "/oauth/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": oauth_app.client_id,
            "client_secret": oauth_app.client_secret,
            "code_verifier": code_verifier,
            "scope": " ".join(SCOPES),
        },
        what="authorization",
    )
    access_token = answer.get("access_token")
    if not access_token:
        raise PlatformError("Mastodon accepted the authorization but sent no access token.")
    missing = missing_scopes(answer.get("scope", ""))
    if missing:
        raise PlatformError(f"Mastodon did not grant the permissions the scheduler needs: {', '.join(missing)}.")
    conn = Connection(base, access_token)
    me = conn.call(conn.api.account_verify_credentials, what="account")
    limits = read_instance_limits(conn)
    return account_profile(me, base, limits, tokens=TokenSet(access_token=str(access_token)))


def account_profile(me, base_url: str, limits: dict, *, tokens: TokenSet | None) -> AccountProfile:
    """platform_username is the full handle, acct@instance domain."""
    host = limits.get("instance_domain") or urlsplit(base_url).netloc
    acct = str(me.get("acct") or me["username"])
    return AccountProfile(
        platform_user_id=str(me["id"]),
        platform_username=acct if "@" in acct else f"{acct}@{host}",
        display_name=str(me.get("display_name") or me["username"]),
        instance_url=base_url,
        avatar_url=str(me.get("avatar_static") or me.get("avatar") or ""),
        tokens=tokens,
        platform_settings=limits,
    )


def missing_scopes(granted: str) -> list[str]:
    """Scopes we asked for that the token lacks; `read`/`write` cover all their sub-scopes. An
    answer without a scope field is taken to grant what was asked (RFC 6749 5.1)."""
    scopes = set(str(granted or "").split())
    if not scopes:
        return []
    return [s for s in SCOPES if s not in scopes and s.split(":")[0] not in scopes]


def _require_app(oauth_app) -> None:
    if oauth_app is None or not getattr(oauth_app, "client_id", ""):
        raise PlatformError("The scheduler is not registered on this Mastodon instance yet.")
