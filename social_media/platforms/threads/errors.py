"""The one place where a Threads Graph API answer or a transport failure becomes a typed PlatformError,
by HTTP status and Meta's `error.code` / `error_subcode`, never by message text.

Error body (Graph API): {"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}.
"""

from __future__ import annotations

import requests

from config.numbers import digits

from ..base import AccountDisconnected, InvalidContent, OutcomeUnknown, PlatformError, RateLimited, TokenExpired, TransientError
from ..http import request_was_sent

EXPIRED_SUBCODES = {463}  # "Session has expired"; 460 password changed, 458 app removed, 467 invalid: revoked
RATE_LIMIT_CODES = {4, 17, 32, 613}  # app, user, page-level and custom rate limits
QUOTA_CODES = {9}  # "You have reached the maximum number of posts" (publishing quota; replies have their own)
BLOCKED_CODES = {368}  # temporarily blocked for policy reasons
NOT_READY_CODES = {9007}  # the container is not ready to be published yet
PERMISSION_CODES = {10} | set(range(200, 300))
OBJECT_MISSING_SUBCODE = 33  # "Object with ID ... does not exist"
SERVER_CODES = {1, 2}  # unknown / temporary service error
RATE_LIMIT_WAIT = 15 * 60  # Meta does not say when a call limit frees; back off this long
BLOCKED_WAIT = 60 * 60


def error_fields(response) -> tuple[int | None, int | None, str]:
    try:
        body = response.json()
    except ValueError:
        return None, None, ""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None, None, ""
    code, subcode = error.get("code"), error.get("error_subcode")
    return (code if isinstance(code, int) else None), (subcode if isinstance(subcode, int) else None), str(error.get("message") or "")[:300]


def from_response(response, *, what: str, unsafe: bool = False) -> PlatformError:
    status = response.status_code
    code, subcode, message = error_fields(response)
    detail = f": {message}" if message else "."
    if code == 190 or status == 401:
        if subcode in EXPIRED_SUBCODES:
            return TokenExpired("The Threads access token expired.", http_status=status)
        return AccountDisconnected(
            f"Threads no longer accepts this account's access token (revoked or the app was removed){detail} Reconnect the account.",
            http_status=status,
        )
    if code in RATE_LIMIT_CODES or status == 429:
        retry = _retry_after(response) or RATE_LIMIT_WAIT
        return RateLimited(f"Threads' rate limit for this app and account was reached{detail}", retry_after=retry, http_status=status)
    if code in QUOTA_CODES:
        return RateLimited(f"The Threads publishing limit (250 posts, or 1,000 replies, in 24 hours) was reached{detail}",
                           retry_after=BLOCKED_WAIT, http_status=status)
    if code in BLOCKED_CODES:
        return RateLimited(f"Threads temporarily blocked this action{detail}", retry_after=BLOCKED_WAIT, http_status=status)
    if code in NOT_READY_CODES:
        return TransientError(f"Threads has not finished processing the media yet{detail}", http_status=status)
    if code in PERMISSION_CODES:
        return AccountDisconnected(
            f"The Threads app lacks a permission for the {what}{detail} Reconnect the account and grant every permission.",
            http_status=status,
        )
    if status >= 500 or code in SERVER_CODES:
        if unsafe:
            return OutcomeUnknown(f"Threads failed ({status}) while publishing; the post may or may not be live{detail}", http_status=status)
        return TransientError(f"Threads had a server error ({status}){detail}", http_status=status)
    if status == 404 or (code == 100 and subcode == OBJECT_MISSING_SUBCODE):
        return PlatformError(f"Threads could not find the {what}.", http_status=404)
    if status == 400:
        return InvalidContent(f"Threads rejected the {what}{detail}", http_status=status)
    return PlatformError(f"Threads answered {status} to the {what}{detail}", http_status=status)


def from_transport(exc: requests.RequestException, *, what: str, unsafe: bool = False) -> PlatformError:
    if not request_was_sent(exc):
        return TransientError("Could not connect to Threads; it may be down or unreachable.")
    if unsafe:
        return OutcomeUnknown(f"Threads did not answer after the {what} was sent; it may or may not have been published.")
    return TransientError(f"Threads did not answer the {what} request in time.")


def _retry_after(response) -> float | None:
    value = (response.headers.get("Retry-After") or "").strip()
    seconds = digits(value)
    return float(seconds) if seconds is not None else None
