"""The one place where LinkedIn's answers become our typed errors (social_media.platforms.base).

LinkedIn's REST errors are `{"status", "serviceErrorCode", "code", "message"}` (e.g. 401 65601
REVOKED_ACCESS_TOKEN), validation failures add `errorDetails.inputErrors[].code` (422 DUPLICATE_POST);
classification goes by HTTP status and those codes, never by message text. The OAuth token endpoint
answers `{"error", "error_description"}`. Messages are written for the user and never carry a token.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

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
from social_media.platforms.http import failed_before_sending

class DuplicatePost(OutcomeUnknown):
    """LinkedIn refused the text as a copy of one of the author's posts: ours, if an earlier attempt landed."""


REVOKED_CODES = {65601, "REVOKED_ACCESS_TOKEN"}
DUPLICATE_CODE = "DUPLICATE_POST"
CONFIG_CODES = {"VERSION_MISSING", "NONEXISTENT_VERSION"}


def from_response(response: requests.Response, *, what: str = "request", may_have_landed: bool = False, write: bool = False) -> PlatformError:
    """`write`: posting or uploading, where a 403 means the account lost its permission; a read's 403
    (metrics, the author finder without r_member_social) only says that read is not allowed."""
    status = response.status_code
    body = _body(response)
    codes = {body.get("serviceErrorCode"), body.get("code")} - {None}
    detail = _detail(body, response)
    if status == 429:
        return RateLimited("LinkedIn's rate limit was reached.", retry_after=_retry_after(response))
    if status == 401:
        if codes & REVOKED_CODES:
            return AccountDisconnected(f"LinkedIn access was revoked ({detail}); reconnect the LinkedIn account.", http_status=401)
        return TokenExpired(f"LinkedIn did not accept the access token ({detail}).", http_status=401)
    if status == 426 or codes & CONFIG_CODES:
        return PlatformError(f"LinkedIn refused the API version in LINKEDIN_VERSION ({detail}); set a current YYYYMM version.", http_status=status)
    if status == 403 and not (write or may_have_landed):
        return PlatformError(f"LinkedIn does not let this app read the {what} ({detail}).", http_status=403)
    if status == 403:
        refused = AccountDisconnected(
            f"LinkedIn refused permission for the {what} ({detail}); reconnect the account granting posting access "
            "(and check the member still administers the page).", http_status=403)
        refused.detail = detail  # comment_forbidden words its own sentence with it
        return refused
    if status >= 500:
        if may_have_landed:
            return OutcomeUnknown(f"LinkedIn had a server error (HTTP {status}) after the {what} was sent; checking before any retry.", http_status=status)
        return TransientError(f"LinkedIn had a server error (HTTP {status}); will retry.", http_status=status)
    if status == 422 and DUPLICATE_CODE in input_error_codes(body):
        if may_have_landed:  # LinkedIn refuses the same text twice: the first one may be ours
            return DuplicatePost("LinkedIn says this text was already posted; checking whether that post is this one.", http_status=422)
        return InvalidContent(f"LinkedIn rejected the {what} as a duplicate: {detail}", http_status=422)
    if status == 404:
        return PlatformError(f"LinkedIn could not find the {what}: {detail}", http_status=404)
    if status in (400, 413, 422):
        return InvalidContent(f"LinkedIn rejected the {what}: {detail}", http_status=status)
    return PlatformError(f"LinkedIn refused the {what} (HTTP {status}): {detail}", http_status=status)


def comment_forbidden(exc: PlatformError, *, needed: str, granted) -> PlatformError:
    """A 403 to a comment. Without the write scope in the grant the account must reconnect to give it;
    with it, the refusal is LinkedIn's (the app's products, or the member no longer administering the
    page), and reconnecting would not help, so this comment fails and the account stays connected. An
    unknown grant is treated as publishing treats a refusal: reconnect."""
    if not granted or needed not in granted:
        return AccountDisconnected(f"LinkedIn refused the comment: the account did not grant {needed}; reconnect it granting "
                                   "permission to post and comment.", http_status=403)
    detail = getattr(exc, "detail", "") or "HTTP 403"
    return PlatformError(f"LinkedIn refused permission to comment as this account ({detail}): check that the LinkedIn app has "
                         "the product that grants commenting and, for a page, that the member still administers it.",
                         http_status=403)


def from_transport(exc: requests.RequestException, *, what: str = "request", may_have_landed: bool = False) -> PlatformError:
    """A request that failed in transit: before sending it is always safe to retry; after sending, a
    create may have landed."""
    if isinstance(exc, requests.ConnectTimeout) or (isinstance(exc, requests.ConnectionError) and failed_before_sending(exc)):
        return TransientError("Could not reach LinkedIn; will retry.")
    if may_have_landed and isinstance(exc, (requests.ReadTimeout, requests.ConnectionError)):
        return OutcomeUnknown(f"LinkedIn did not answer in time after the {what} was sent; checking before any retry.")
    return TransientError(f"The {what} to LinkedIn failed in transit; will retry.")


def token_error(response: requests.Response) -> PlatformError:
    """Non-2xx from /oauth/v2/accessToken: a refused grant is permanent (the user must reconnect)."""
    status = response.status_code
    if status == 429:
        return RateLimited("LinkedIn's rate limit was reached while renewing access.", retry_after=_retry_after(response))
    if status >= 500:
        return TransientError(f"LinkedIn could not renew access right now (HTTP {status}); will retry.", http_status=status)
    body = _body(response)
    reason = _clean(body.get("error_description") or body.get("error") or response.reason or "refused")
    if body.get("error") == "invalid_client":
        return PlatformError(f"LinkedIn refused this server's app credentials ({reason}); check LINKEDIN_CLIENT_ID/SECRET.", http_status=status)
    return AccountDisconnected(f"LinkedIn refused the authorization ({reason}); reconnect the LinkedIn account.", http_status=status)


def input_error_codes(body: dict) -> set:
    details = body.get("errorDetails") if isinstance(body.get("errorDetails"), dict) else {}
    return {e.get("code") for e in details.get("inputErrors") or [] if isinstance(e, dict)}


# --- helpers --------------------------------------------------------------------------------
def _body(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _detail(body: dict, response: requests.Response) -> str:
    message = body.get("message") or f"HTTP {response.status_code} {response.reason or ''}".strip()
    return _clean(message)


def _clean(text) -> str:
    return redact(str(text)).strip()[:500]


def _retry_after(response: requests.Response) -> float:
    """Retry-After when LinkedIn sends one; else its daily quotas reset at midnight UTC."""
    try:
        return max(0.0, float(response.headers.get("Retry-After")))
    except (TypeError, ValueError):
        now = datetime.now(timezone.utc)
        midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return (midnight - now).total_seconds()
