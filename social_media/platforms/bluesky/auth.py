"""Sessions: app-password login (com.atproto.server.createSession), refresh (refreshSession, which
rotates the refresh JWT) and verification (getSession), plus the record helpers they share."""

from __future__ import annotations

from datetime import datetime

from atproto_client import models

from social_media.platforms.base import AccountDisconnected, AccountProfile, TokenSet

from . import rules
from .errors import ACCOUNT_UNAVAILABLE, BAD_LOGIN, CALL, LIBRARY_ERRORS, LOGIN, REFRESH, SESSION_ENDED, translate
from .session import PROFILE_COLLECTION, jwt_expiry, open_client
from .session import service_url as checked_service_url  # `connect` has an argument named service_url

# What connect/verify report in platform_settings (fixed by the lexicon, not read from the server).
LIMITS = {
    "max_characters": rules.MAX_GRAPHEMES,
    "max_text_bytes": rules.MAX_TEXT_BYTES,
    "max_media_attachments": rules.MAX_IMAGES,
    "max_image_bytes": rules.MAX_IMAGE_BYTES,
    "max_video_bytes": rules.MAX_VIDEO_BYTES,
}


def record_field(value, name: str, alias: str):
    """A field of a record returned by getRecord (a model, or a dict for types the SDK does not know)."""
    if isinstance(value, dict):
        return value.get(alias)
    return getattr(value, name, None)


def parse_time(raw) -> datetime | None:
    try:
        return datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return None


def display_name(client, did: str) -> str:
    """displayName of the account's profile record, read from the repo (works without an AppView)."""
    try:
        record = client.com.atproto.repo.get_record({"repo": did, "collection": PROFILE_COLLECTION, "rkey": "self"})
    except LIBRARY_ERRORS:
        return ""
    return record_field(record.value, "display_name", "displayName") or ""


def _tokens(session) -> TokenSet:
    return TokenSet(access_token=session.access_jwt, refresh_token=session.refresh_jwt, expires_at=jwt_expiry(session.access_jwt))


def connect(*, identifier: str, password: str, service_url: str) -> AccountProfile:
    """Log in with a handle (or email) and app password; the profile carries both JWTs."""
    base_url = checked_service_url(service_url)
    identifier = (identifier or "").strip().lstrip("@")
    if not identifier or not password:
        raise AccountDisconnected(BAD_LOGIN)
    with open_client(base_url) as client:
        try:
            session = client.com.atproto.server.create_session(
                models.ComAtprotoServerCreateSession.Data(identifier=identifier, password=password)
            )
        except LIBRARY_ERRORS as exc:
            raise translate(exc, action=LOGIN) from exc
        if session.active is False:
            raise AccountDisconnected(ACCOUNT_UNAVAILABLE)
        name = display_name(client, session.did)
    return AccountProfile(
        platform_user_id=session.did,
        platform_username=session.handle,
        display_name=name,
        instance_url=base_url,
        tokens=_tokens(session),
        platform_settings=dict(LIMITS),
    )


def refresh(base_url: str, refresh_jwt: str) -> TokenSet:
    """New access and refresh JWTs; the old refresh JWT stops working (after the PDS's grace period)."""
    if not refresh_jwt:
        raise AccountDisconnected(SESSION_ENDED)
    with open_client(base_url) as client:
        try:
            session = client.com.atproto.server.refresh_session(headers={"Authorization": f"Bearer {refresh_jwt}"})
        except LIBRARY_ERRORS as exc:
            raise translate(exc, action=REFRESH) from exc
    if session.active is False:
        raise AccountDisconnected(ACCOUNT_UNAVAILABLE)
    return _tokens(session)


def verify(client, base_url: str) -> AccountProfile:
    """Who the stored session belongs to, checked against the PDS."""
    try:
        session = client.com.atproto.server.get_session()
    except LIBRARY_ERRORS as exc:
        raise translate(exc, action=CALL) from exc
    if session.active is False:
        raise AccountDisconnected(ACCOUNT_UNAVAILABLE)
    return AccountProfile(
        platform_user_id=session.did,
        platform_username=session.handle,
        display_name=display_name(client, session.did),
        instance_url=checked_service_url(base_url),
        platform_settings=dict(LIMITS),
    )

