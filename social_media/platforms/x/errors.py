"""The one place where X's answers become our typed errors (social_media.platforms.base).

Classification goes by HTTP status and X's error codes/types; message text is consulted only where X
gives nothing better (403s share one status for duplicate content, suspension and missing access).
Messages are written for the user and never carry a token.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import requests
import tweepy

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

DUPLICATE_CODE = 187
ACCOUNT_CODES = {64, 326}  # suspended, locked
ACCOUNT_WORDS = ("suspended", "locked", "deactivated")
ACCESS_WORDS = ("scope", "oauth2-user-token", "not permitted to access")


@contextmanager
def translated(*, what: str = "request", may_have_landed: bool = False):
    """Run X calls, re-raising whatever they throw as a PlatformError. `may_have_landed` marks a
    non-idempotent write (creating a post): a timeout or reset after sending is then OutcomeUnknown."""
    try:
        yield
    except PlatformError:
        raise
    except (tweepy.TweepyException, requests.RequestException) as exc:
        raise translate(exc, what=what, may_have_landed=may_have_landed) from exc


def translate(exc: Exception, *, what: str = "request", may_have_landed: bool = False) -> PlatformError:
    if isinstance(exc, PlatformError):
        return exc
    if isinstance(exc, tweepy.HTTPException):
        return _from_http(exc, what)
    if isinstance(exc, requests.JSONDecodeError):  # X answered 2xx with a body we cannot read
        return _after_send("X sent an unreadable answer.", may_have_landed)
    if isinstance(exc, requests.ConnectTimeout) or (isinstance(exc, requests.ConnectionError) and failed_before_sending(exc)):
        return TransientError("Could not reach X; will retry.")
    if isinstance(exc, (requests.ReadTimeout, requests.ConnectionError)):
        return _after_send("X did not answer in time.", may_have_landed)
    if isinstance(exc, requests.RequestException):
        return TransientError("The request to X failed; will retry.")
    return PlatformError(f"Unexpected error talking to X: {type(exc).__name__}.")


def token_endpoint_error(response: requests.Response) -> PlatformError:
    """Non-2xx from POST /2/oauth2/token: refused grants are permanent (the user must reconnect)."""
    status = response.status_code
    if status == 429:
        return RateLimited("X's rate limit was reached while renewing access.", retry_after=_retry_after(response))
    if status >= 500:
        return TransientError(f"X could not renew access right now (HTTP {status}); will retry.", http_status=status)
    try:
        body = response.json()
    except ValueError:
        body = {}
    reason = body.get("error_description") or body.get("error") or response.reason or "refused"
    if status in (400, 401):
        return AccountDisconnected(f"X refused the authorization ({_clean(reason)}); reconnect the X account.", http_status=status)
    return PlatformError(f"X refused the authorization request (HTTP {status}): {_clean(reason)}", http_status=status)


def token_transport_error() -> PlatformError:
    """The token request failed in transit (refused, timed out, reset): retry later."""
    return TransientError("Could not reach X to renew access; will retry.")


# --- helpers --------------------------------------------------------------------------------
def _from_http(exc: tweepy.HTTPException, what: str) -> PlatformError:
    response = exc.response
    status = response.status_code
    detail = _detail(exc)
    if isinstance(exc, tweepy.TooManyRequests):
        return RateLimited("X's rate limit was reached.", retry_after=_retry_after(response))
    if isinstance(exc, tweepy.Unauthorized):
        return TokenExpired("X did not accept the access token (expired or revoked).", http_status=status)
    if isinstance(exc, tweepy.TwitterServerError):
        return TransientError(f"X had a server error (HTTP {status}); will retry.", http_status=status)
    if isinstance(exc, tweepy.Forbidden):
        return _forbidden(exc, detail, what)
    if isinstance(exc, tweepy.NotFound):
        return PlatformError(f"X could not find the {what}: {detail}", http_status=status)
    if isinstance(exc, tweepy.BadRequest) or status in (413, 422):
        return InvalidContent(f"X rejected the {what}: {detail}", http_status=status)
    return PlatformError(f"X refused the {what} (HTTP {status}): {detail}", http_status=status)


def _forbidden(exc: tweepy.HTTPException, detail: str, what: str) -> PlatformError:
    text = detail.lower()
    codes = set(exc.api_codes)
    body = _body(exc)
    if str(body.get("type", "")).endswith("/client-forbidden") or body.get("reason") == "client-not-enrolled":
        return PlatformError(f"X refused this app's credentials: {detail}", http_status=403)
    if DUPLICATE_CODE in codes or "duplicate" in text:
        return InvalidContent(f"X rejected the {what}: {detail}", http_status=403)
    if codes & ACCOUNT_CODES or any(word in text for word in ACCOUNT_WORDS):
        return AccountDisconnected(f"X refused the account: {detail}", http_status=403)
    if any(word in text for word in ACCESS_WORDS):
        return AccountDisconnected(f"X refused access ({detail}); reconnect the X account to grant it.", http_status=403)
    return InvalidContent(f"X rejected the {what}: {detail}", http_status=403)


def _body(exc: tweepy.HTTPException) -> dict:
    try:
        body = exc.response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _detail(exc: tweepy.HTTPException) -> str:
    body = _body(exc)
    messages = []
    for error in body.get("errors") or []:
        if isinstance(error, dict) and (error.get("message") or error.get("detail")):
            messages.append(str(error.get("message") or error.get("detail")))
        elif isinstance(error, str):
            messages.append(error)
    if not messages:
        messages = [str(body.get(key)) for key in ("detail", "title", "error_description") if body.get(key)][:1]
    return _clean(" ".join(messages) or f"HTTP {exc.response.status_code} {exc.response.reason or ''}".strip())


def _clean(text: str) -> str:
    return redact(str(text)).strip()[:500]


def _after_send(message: str, may_have_landed: bool) -> PlatformError:
    if may_have_landed:
        return OutcomeUnknown(f"{message} The post may or may not have been published; checking before any retry.")
    return TransientError(f"{message} Will retry.")


def _retry_after(response) -> float | None:
    """Seconds until X lets us try again: the 24-hour user/app cap when that is what ran out,
    else x-rate-limit-reset (epoch seconds), else Retry-After."""
    headers = response.headers
    now = time.time()
    for scope in ("user", "app"):
        if headers.get(f"x-{scope}-limit-24hour-remaining") == "0" and _number(headers.get(f"x-{scope}-limit-24hour-reset")):
            return max(0.0, _number(headers[f"x-{scope}-limit-24hour-reset"]) - now)
    reset = _number(headers.get("x-rate-limit-reset"))
    if reset is not None:
        return max(0.0, reset - now)
    retry_after = _number(headers.get("retry-after"))
    return max(0.0, retry_after) if retry_after is not None else None


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
