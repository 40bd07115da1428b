"""The one place where Graph API answers become our typed errors (social_media.platforms.base).

Classification goes by HTTP status and Meta's `error.code` / `error_subcode` (body
`{"error": {"message", "type", "code", "error_subcode", "is_transient", "fbtrace_id"}}`); Meta's own
message is kept for the user, never a token. Rate-limit waits come from `X-Business-Use-Case-Usage`
(`estimated_time_to_regain_access`, minutes) or `X-App-Usage`.
"""

from __future__ import annotations

import json

import requests

from config.logging import redact
from social_media.platforms.base import (
    AccountDisconnected,
    InvalidContent,
    OutcomeUnknown,
    PlatformError,
    RateLimited,
    TokenExpired,
    TransientError,
)
from social_media.platforms.http import failed_before_sending as before_send

TOKEN_CODE = 190
EXPIRED_SUBCODE = 463  # "Session has expired": a refresh can fix it; other 190s need a reconnect
RATE_LIMIT_CODES = {4, 17, 32, 613, 80001, 80002, 80004}
BLOCKED_CODE = 368  # temporarily blocked for policy reasons
NOT_READY_CODE = 9007  # media not ready for publishing (subcode 2207027)
NOT_READY_SUBCODE = 2207027
# Instagram's content publishing limit (code 9, subcode 2207042: "You reached the maximum number of posts
# that is allowed to be published by the API in 24 hours"): wait for the rolling window, never fail for good.
PUBLISHING_LIMIT_CODE, PUBLISHING_LIMIT_SUBCODE = 9, 2207042
PUBLISHING_LIMIT_WAIT = 3600.0
PERMISSION_CODES = {10, 200, 210, 220, 299}
TRANSIENT_CODES = {1, 2}
DEFAULT_RATE_WAIT = 300.0
BLOCKED_WAIT = 3600.0


def meta_error(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def from_response(response: requests.Response, *, creates_post: bool = False, what: str = "post") -> PlatformError:
    """The typed error for a non-2xx answer; Meta's codes stay on it as `meta_code`/`meta_subcode`."""
    error = meta_error(response)
    exc = _classify(response, error, creates_post=creates_post, what=what)
    exc.meta_code, exc.meta_subcode = error.get("code"), error.get("error_subcode")
    return exc


def _classify(response, error: dict, *, creates_post: bool, what: str) -> PlatformError:
    status = response.status_code
    code, subcode = error.get("code"), error.get("error_subcode")
    message = clean(error.get("error_user_msg") or error.get("message") or f"HTTP {status} {response.reason or ''}".strip())
    if code == TOKEN_CODE or code == 102:
        if subcode == EXPIRED_SUBCODE:
            return TokenExpired(f"Meta says the access token expired: {message}", http_status=status)
        return AccountDisconnected(f"Meta no longer accepts this account's login ({message}); reconnect it.", http_status=status)
    if code in RATE_LIMIT_CODES or status == 429:
        return RateLimited(f"Meta's rate limit was reached: {message}", retry_after=retry_after(response), http_status=status)
    if code == PUBLISHING_LIMIT_CODE and subcode == PUBLISHING_LIMIT_SUBCODE:
        return RateLimited(f"The account reached Meta's daily publishing limit: {message}", retry_after=PUBLISHING_LIMIT_WAIT,
                           http_status=status)
    if code == BLOCKED_CODE:
        return RateLimited(f"Meta temporarily blocked this account from posting: {message}", retry_after=BLOCKED_WAIT, http_status=status)
    if code == NOT_READY_CODE and subcode == NOT_READY_SUBCODE:
        return TransientError(f"Meta is still processing the media: {message}", http_status=status)
    if status >= 500 or code in TRANSIENT_CODES or error.get("is_transient"):
        if creates_post:
            return OutcomeUnknown(f"Meta had a server error (HTTP {status}) while creating the {what}; checking before any retry.", http_status=status)
        return TransientError(f"Meta had a temporary error (HTTP {status}): {message} Will retry.", http_status=status)
    if code in PERMISSION_CODES:
        return AccountDisconnected(f"Meta refused the permission this needs ({message}); reconnect the account and grant it.", http_status=status)
    if status == 404 or code == 803:
        return PlatformError(f"Meta could not find the {what}: {message}", http_status=status)
    if status in (400, 413, 422) or code == 100:
        return InvalidContent(f"Meta rejected the {what}: {message}", http_status=status)
    return PlatformError(f"Meta refused the {what} (HTTP {status}): {message}", http_status=status)


def from_transport(exc: requests.RequestException, *, creates_post: bool = False) -> PlatformError:
    if isinstance(exc, requests.ConnectTimeout) or (isinstance(exc, requests.ConnectionError) and before_send(exc)):
        return TransientError("Could not reach Meta; will retry.")
    if isinstance(exc, (requests.ReadTimeout, requests.ConnectionError, requests.JSONDecodeError)):
        if creates_post:
            return OutcomeUnknown("Meta did not answer in time; the post may or may not have been published. Checking before any retry.")
        return TransientError("Meta did not answer in time; will retry.")
    return TransientError("The request to Meta failed; will retry.")


def retry_after(response: requests.Response) -> float:
    """Seconds until Meta lets us call again: the longest `estimated_time_to_regain_access` (minutes)
    in X-Business-Use-Case-Usage, else a fixed wait (X-App-Usage gives percentages, no time)."""
    minutes = 0.0
    raw = response.headers.get("X-Business-Use-Case-Usage")
    if raw:
        try:
            usage = json.loads(raw)
            for entries in usage.values():
                for entry in entries:
                    minutes = max(minutes, float(entry.get("estimated_time_to_regain_access") or 0))
        except (ValueError, AttributeError, TypeError):
            pass
    return minutes * 60 if minutes else DEFAULT_RATE_WAIT


def clean(text: str) -> str:
    return redact(str(text)).strip()[:500]
