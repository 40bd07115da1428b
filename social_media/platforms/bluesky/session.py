"""Talking to a PDS: checked service URLs, clients built from the stored JWTs, record keys, post URLs.

The PDS is a host the user chose: every client talks through config.safe_http's guarded transport
(public addresses only, checked where each connection and redirect hop is made, environment proxies
ignored), and a refusal becomes AccountDisconnected when it leaves open_client.
"""

from __future__ import annotations

import calendar
import hashlib
from contextlib import contextmanager
from datetime import datetime, timezone
from urllib.parse import urlsplit

import httpx
from atproto_client import Client
from atproto_client.client.session import Session
from atproto_client.request import Request
from atproto_server.auth.jwt import get_jwt_payload
from django.conf import settings

from config import safe_http
from social_media.platforms.base import AccountDisconnected, PlatformError

POST_COLLECTION = "app.bsky.feed.post"
PROFILE_COLLECTION = "app.bsky.actor.profile"
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def service_url(url: str) -> str:
    """scheme://host[:port] of a PDS or entryway. https only; http://127.0.0.1 only when
    settings.ALLOW_INSECURE_NETWORK_URLS is on (local test servers)."""
    parts = urlsplit((url or "").strip())
    insecure_ok = parts.scheme == "http" and parts.hostname == "127.0.0.1" and settings.ALLOW_INSECURE_NETWORK_URLS
    if not parts.hostname or not (parts.scheme == "https" or insecure_ok):
        raise PlatformError("The Bluesky service URL must be an https:// address, like https://bsky.social.")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def timeout() -> httpx.Timeout:
    seconds = settings.BLUESKY_TIMEOUT_SECONDS
    return httpx.Timeout(seconds, connect=min(seconds, 5.0))


class StoredSessionClient(Client):
    """An atproto Client that never refreshes the session on its own: a silent refresh would rotate the
    refresh JWT without the engine storing it. An expired access JWT surfaces as ExpiredToken, which
    becomes TokenExpired, and the engine refreshes under a row lock and retries."""

    def _should_refresh_session(self) -> bool:
        return False


@contextmanager
def open_client(base_url: str, *, handle: str = "", did: str = "", access_jwt: str = "", refresh_jwt: str = ""):
    """A client for `base_url`, authenticated with the stored JWTs when given; closed afterwards."""
    request = Request(timeout=timeout(), transport=safe_http.httpx_transport(), trust_env=False)
    client = StoredSessionClient(base_url=service_url(base_url), request=request)
    try:
        if access_jwt:
            session = Session(handle=handle, did=did, access_jwt=access_jwt, refresh_jwt=refresh_jwt, pds_endpoint=service_url(base_url))
            client.login(session_string=session.encode(), fetch_bsky_profile=False)
        yield client
    except safe_http.BlockedAddress as exc:  # atproto passes it through untouched: not an httpx error
        raise AccountDisconnected(f"The Bluesky service cannot be reached safely: {exc.message}") from exc
    finally:
        client.request.close()


def jwt_expiry(token: str) -> datetime | None:
    """The `exp` of a JWT (read, not verified: only the PDS can verify it)."""
    try:
        exp = get_jwt_payload(token).exp
    except Exception:  # noqa: BLE001 - an unreadable token simply has no known expiry
        return None
    return datetime.fromtimestamp(exp, tz=timezone.utc) if exp else None


def tid(value: int) -> str:
    """The 13-character base32-sortable form of a 64-bit TID value (top bit 0)."""
    if not 0 <= value < 2**63:
        raise ValueError("a TID is a 63-bit value")
    return "".join(TID_ALPHABET[(value >> shift) & 31] for shift in range(60, -1, -5))


def record_key(target, position: int = 0) -> str:
    """The record key of this target's post (or of part `position` of its thread): a TID derived only
    from the target, so every attempt writes to the same key and a second create cannot duplicate the post.

    Its timestamp is the post's creation time to the millisecond (so keys sort like real TIDs), plus
    one millisecond per thread part (so a thread's keys sort in its order); the sub-millisecond
    microseconds and the 10-bit clock id come from a hash of target.idempotency_key (and the part's
    position), which tells apart targets created within the same millisecond."""
    seed = f"bluesky-rkey:{target.idempotency_key}" + (f":part-{position}" if position else "")
    digest = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
    created = target.post.created_at
    millis = calendar.timegm(created.utctimetuple()) * 1000 + created.microsecond // 1000 + position
    micros = millis * 1000 + digest % 1000
    clock_id = (digest >> 10) & 0x3FF
    return tid((micros << 10) | clock_id)


def post_url(handle: str, rkey: str) -> str:
    return f"https://bsky.app/profile/{handle}/post/{rkey}"


def post_uri(did: str, rkey: str) -> str:
    return f"at://{did}/{POST_COLLECTION}/{rkey}"
