"""OAuth 2.0 authorization code against LinkedIn, and the accounts a connect flow yields.

LinkedIn's 3-legged flow for web apps takes no PKCE (PKCE is offered to native clients only), so the
state alone binds the callback. The token answer has `expires_in` (60 days) and, for apps LinkedIn
approved for programmatic refresh, `refresh_token` + `refresh_token_expires_in` (a year, not extended
by refreshing). Without a refresh token the account shows its expiry and asks to be reconnected.

One login yields the member (OpenID `userinfo`: `sub`, `name`) and, when the organization scopes were
granted, every page the member administers (`organizationAcls` roleAssignee finder, then each
organization's name): one AccountProfile each, `platform_user_id` being the author URN.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone as dt_timezone
from urllib.parse import quote, urlencode

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from social_media.platforms.base import AccountDisconnected, AccountProfile, PlatformError, TokenSet, TransientError

from .client import LinkedInClient, oauth_base_url, timeouts
from .errors import from_transport, token_error

ORGANIZATION_SCOPES = {"r_organization_admin", "rw_organization_admin"}
DEFAULT_EXPIRES_IN = 60 * 24 * 3600


def authorization_url(*, state: str, redirect_uri: str) -> str:
    query = {"response_type": "code", "client_id": _client_id(), "redirect_uri": redirect_uri, "state": state,
             "scope": " ".join(settings.LINKEDIN_SCOPES.split())}
    return f"{oauth_base_url()}/oauth/v2/authorization?{urlencode(query, quote_via=quote)}"


def exchange_code(*, code: str, redirect_uri: str) -> tuple[TokenSet, dict]:
    return _request_tokens({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})


def refresh(refresh_token: str) -> tuple[TokenSet, dict]:
    if not refresh_token:
        raise AccountDisconnected("LinkedIn gave this app no refresh token; reconnect the LinkedIn account before its access expires.")
    return _request_tokens({"grant_type": "refresh_token", "refresh_token": refresh_token})


def member_profile(client: LinkedInClient, tokens: TokenSet | None, grant: dict) -> AccountProfile:
    info = client.json("GET", "/v2/userinfo", what="member profile")
    if not info.get("sub"):
        raise TransientError("LinkedIn did not return the member's profile; will retry.")
    urn = f"urn:li:person:{info['sub']}"
    name = info.get("name") or " ".join(filter(None, [info.get("given_name"), info.get("family_name")])) or info["sub"]
    return AccountProfile(platform_user_id=urn, platform_username=name, display_name=name, tokens=tokens, platform="linkedin",
                          platform_settings={"author_type": "member", "author_urn": urn, **grant})


def organization_profiles(client: LinkedInClient, member: AccountProfile, grant: dict) -> list[AccountProfile]:
    """The pages the member administers, when the organization scopes were granted."""
    if not ORGANIZATION_SCOPES & set(grant.get("scopes") or []):
        return []
    try:
        acls = client.json("GET", "/rest/organizationAcls", restli_method="FINDER", what="administered pages",
                           query="q=roleAssignee&role=ADMINISTRATOR&state=APPROVED&count=100")
    except PlatformError as exc:
        if exc.http_status == 403:  # scope asked for but the app lacks the product: connect the member alone
            return []
        raise
    profiles = []
    for acl in acls.get("elements") or []:
        urn = acl.get("organization") or ""
        if not urn.startswith("urn:li:organization:"):
            continue
        org = client.json("GET", f"/rest/organizations/{urn.rsplit(':', 1)[1]}", what="page")
        name = org.get("localizedName") or urn
        profiles.append(AccountProfile(
            platform_user_id=urn, platform_username=org.get("vanityName") or name, display_name=name, tokens=member.tokens,
            platform="linkedin",
            platform_settings={"author_type": "organization", "author_urn": urn, "member_urn": member.platform_user_id, **grant},
        ))
    return profiles


def grant_settings(payload: dict) -> dict:
    """What the token answer says about the grant, kept in platform_settings (no secrets)."""
    grant = {"scopes": sorted(set(str(payload.get("scope") or "").replace(",", " ").split()))}
    if payload.get("refresh_token_expires_in"):
        expires = datetime.now(dt_timezone.utc) + timedelta(seconds=int(payload["refresh_token_expires_in"]))
        grant["refresh_token_expires_at"] = expires.isoformat(timespec="seconds")
    return grant


def _client_id() -> str:
    if not settings.LINKEDIN_CLIENT_ID or not settings.LINKEDIN_CLIENT_SECRET:
        raise ImproperlyConfigured("LINKEDIN_CLIENT_ID and LINKEDIN_CLIENT_SECRET must be set: create an app at linkedin.com/developers.")
    return settings.LINKEDIN_CLIENT_ID


def _request_tokens(form: dict) -> tuple[TokenSet, dict]:
    form = {**form, "client_id": _client_id(), "client_secret": settings.LINKEDIN_CLIENT_SECRET}
    try:
        response = requests.post(f"{oauth_base_url()}/oauth/v2/accessToken", data=form, timeout=timeouts(),
                                 headers={"Accept": "application/json"})
    except requests.RequestException as exc:
        raise from_transport(exc, what="token request") from None  # the grant stays out of tracebacks
    if not response.ok:
        raise token_error(response)
    try:
        payload = response.json()
    except ValueError:
        raise TransientError("LinkedIn answered the token request with an unreadable body; will retry.") from None
    if not payload.get("access_token"):
        raise TransientError("LinkedIn answered the token request without an access token; will retry.")
    tokens = TokenSet(
        access_token=payload["access_token"],
        refresh_token=payload.get("refresh_token", ""),
        expires_at=datetime.now(dt_timezone.utc) + timedelta(seconds=int(payload.get("expires_in") or DEFAULT_EXPIRES_IN)),
    )
    return tokens, grant_settings(payload)
