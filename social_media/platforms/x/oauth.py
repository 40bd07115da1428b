"""OAuth 2.0 authorization code with PKCE against X, and the profile a connect flow learns.

tweepy.OAuth2UserHandler is tied to twitter.com URLs, so the token endpoint is called with requests at
{X_API_BASE_URL}/2/oauth2/token: client id in the body, plus HTTP Basic with id/secret for confidential
clients. X rotates refresh tokens: every refresh answers a new pair and the old refresh token dies.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote, urlencode

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from social_media.platforms.base import AccountDisconnected, AccountProfile, TokenSet, TransientError

from .api import XApi, api_base_url, checked_url, new_session
from .errors import token_endpoint_error, token_transport_error, translated

SCOPES = "tweet.read tweet.write users.read offline.access media.write"
DEFAULT_EXPIRES_IN = 7200
PAID_SUBSCRIPTIONS = {"Basic", "Premium", "PremiumPlus"}
LONG_POST_LENGTH = 25_000
STANDARD_POST_LENGTH = 280


def authorization_url(*, state: str, redirect_uri: str, code_challenge: str) -> str:
    base = checked_url(settings.X_AUTHORIZE_URL, setting="X_AUTHORIZE_URL")
    query = {
        "response_type": "code",
        "client_id": _client_id(),
        "redirect_uri": redirect_uri,
        "scope": SCOPES,
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    return f"{base}?{urlencode(query, quote_via=quote)}"


def exchange_code(*, code: str, redirect_uri: str, code_verifier: str) -> TokenSet:
    return _request_tokens(
        {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": code_verifier}
    )


def refresh(refresh_token: str) -> TokenSet:
    if not refresh_token:
        raise AccountDisconnected("X gave no refresh token for this account; reconnect the X account.")
    return _request_tokens({"grant_type": "refresh_token", "refresh_token": refresh_token})


def fetch_profile(api: XApi, tokens: TokenSet | None = None) -> AccountProfile:
    with translated(what="account"):
        answer = api.client.get_me(user_auth=False, user_fields=["subscription_type", "profile_image_url"])
    data = answer.get("data") or {}
    if not data.get("id"):
        raise TransientError("X did not return the account's profile; will retry.")
    return AccountProfile(
        platform_user_id=str(data["id"]),
        platform_username=data.get("username", ""),
        display_name=data.get("name", ""),
        avatar_url=data.get("profile_image_url", ""),
        tokens=tokens,
        platform_settings=_limits(data),
    )


def _limits(user: dict) -> dict:
    """Paid subscriptions (Basic, Premium, Premium+) may post up to 25,000 weighted characters."""
    if "subscription_type" not in user:
        return {}
    paid = user["subscription_type"] in PAID_SUBSCRIPTIONS
    return {"subscription_type": user["subscription_type"], "max_weighted_length": LONG_POST_LENGTH if paid else STANDARD_POST_LENGTH}


def _client_id() -> str:
    if not settings.X_CLIENT_ID:
        raise ImproperlyConfigured("X_CLIENT_ID is not set: register an OAuth 2.0 app on X and set X_CLIENT_ID.")
    return settings.X_CLIENT_ID


def _request_tokens(form: dict) -> TokenSet:
    client_id = _client_id()
    auth = (client_id, settings.X_CLIENT_SECRET) if settings.X_CLIENT_SECRET else None
    try:
        response = new_session().post(
            f"{api_base_url()}/2/oauth2/token", data={**form, "client_id": client_id}, auth=auth,
            headers={"Accept": "application/json"},
        )
    except requests.RequestException:
        raise token_transport_error() from None  # the request (with its grant) stays out of tracebacks
    if not response.ok:
        raise token_endpoint_error(response)
    try:
        payload = response.json()
    except ValueError:
        raise TransientError("X answered the token request with an unreadable body; will retry.") from None
    if not payload.get("access_token"):
        raise TransientError("X answered the token request without an access token; will retry.")
    expires_in = int(payload.get("expires_in") or DEFAULT_EXPIRES_IN)
    return TokenSet(
        access_token=payload["access_token"],
        refresh_token=payload.get("refresh_token", ""),
        expires_at=timezone.now() + timedelta(seconds=expires_in),
    )
