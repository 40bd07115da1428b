"""The one place where atproto / httpx exceptions become the typed errors of platforms.base.

Classified by HTTP status and XRPC error code (`{"error": "ExpiredToken", "message": "..."}`); the only
message match is the PDS's "No service configured" answer for app.bsky.* calls on a server without an
AppView, which has no code of its own. Messages are for end users and never contain tokens.

`action` says what was being done, because the same failure means different things:
  - PUBLISH: com.atproto.repo.createRecord: a timeout or reset after sending leaves the outcome unknown;
  - CALL: any other request (uploads, reads, deletes): safe to repeat, so a timeout is transient;
  - REFRESH: com.atproto.server.refreshSession: a refused refresh JWT means the account must reconnect;
  - LOGIN: com.atproto.server.createSession: a refusal means a wrong handle or app password;
  - METRICS: app.bsky.* reads through the AppView.
"""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
from atproto_client import exceptions as atproto_errors
from atproto_client.models.common import XrpcError

from social_media.platforms.base import (
    AccountDisconnected,
    InvalidContent,
    OutcomeUnknown,
    PlatformError,
    RateLimited,
    TokenExpired,
    TransientError,
)

PUBLISH, CALL, REFRESH, LOGIN, METRICS = "publish", "call", "refresh", "login", "metrics"

BAD_LOGIN = "Bluesky rejected the handle or app password."
SESSION_ENDED = "Bluesky ended this session (the app password may have been revoked); reconnect the account."
ACCOUNT_UNAVAILABLE = "Bluesky reports this account as suspended, taken down or deactivated; reconnect it once it is active."

TOKEN_ERRORS = {"ExpiredToken", "InvalidToken"}
ACCOUNT_ERRORS = {"AccountTakedown", "AccountDeactivated", "AccountSuspended", "RepoTakendown", "RepoDeactivated", "RepoSuspended"}
# Raised by the client library itself, not by an HTTP answer.
LIBRARY_ERRORS = (atproto_errors.AtProtocolError, httpx.HTTPError)


def xrpc_error(exc) -> tuple[int | None, str, str]:
    """(status, XRPC error code, server message) of a failed request; (None, "", "") without a response."""
    response = getattr(exc, "response", None)
    if not isinstance(exc, atproto_errors.RequestErrorBase) or response is None:
        return None, "", ""
    content = response.content
    if isinstance(content, XrpcError):
        return response.status_code, content.error or "", content.message or ""
    return response.status_code, "", ""


def is_record_not_found(exc) -> bool:
    status, error, _message = xrpc_error(exc)
    return status == 400 and error == "RecordNotFound"


def is_bad_request(exc) -> bool:
    return isinstance(exc, atproto_errors.BadRequestError)


def _retry_after(exc) -> float | None:
    if isinstance(exc, atproto_errors.RateLimitExceededError):
        if exc.retry_after is not None:
            return exc.retry_after
        if exc.reset_at is not None:
            return max((exc.reset_at - datetime.now(timezone.utc)).total_seconds(), 0.0)
    return None


def _from_response(exc, action: str) -> PlatformError:
    status, error, message = xrpc_error(exc)
    detail = message or error or f"HTTP {status}"
    if status == 429:
        return RateLimited("Bluesky's rate limit was reached.", retry_after=_retry_after(exc), http_status=429)
    if error in ACCOUNT_ERRORS or status == 403:
        return AccountDisconnected(ACCOUNT_UNAVAILABLE, http_status=status)
    if action == LOGIN and error == "AuthFactorTokenRequired":
        return AccountDisconnected("Bluesky asks for an email code for this password; connect with an app password instead.", http_status=status)
    if action == LOGIN and status in (400, 401):
        return AccountDisconnected(BAD_LOGIN, http_status=status)
    if action == REFRESH and (error in TOKEN_ERRORS or status == 401):
        return AccountDisconnected(SESSION_ENDED, http_status=status)
    if error in TOKEN_ERRORS or status == 401:
        return TokenExpired("The Bluesky session expired.", http_status=status)
    if status >= 500 or status in (404, 408, 409, 425, 501):
        return TransientError(f"Bluesky is unavailable right now (HTTP {status}: {detail}).", http_status=status)
    if status == 413:
        return InvalidContent("Bluesky rejected the upload: the file is too large.", http_status=413)
    if action == METRICS and status == 400 and "No service configured" in message:
        return TransientError(f"This Bluesky server has no AppView to read post metrics from ({detail}).", http_status=400)
    if action in (PUBLISH, CALL) and status == 400:
        return InvalidContent(f"Bluesky rejected the post: {detail}", http_status=400)
    return PlatformError(f"Bluesky refused the request: {detail}", http_status=status)


def _transport_cause(exc):
    if isinstance(exc, httpx.HTTPError):
        return exc
    cause = exc.__cause__ or exc.__context__
    return cause if isinstance(cause, httpx.HTTPError) else None


def translate(exc: BaseException, *, action: str = CALL) -> PlatformError:
    """The typed error for an exception raised while talking to Bluesky."""
    if isinstance(exc, PlatformError):
        return exc
    if isinstance(exc, atproto_errors.RequestErrorBase) and exc.response is not None:
        return _from_response(exc, action)
    if isinstance(exc, atproto_errors.LoginRequiredError):
        return AccountDisconnected(SESSION_ENDED)
    cause = _transport_cause(exc)
    if isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return TransientError("Could not reach Bluesky; nothing was sent.")
    if cause is not None or isinstance(exc, atproto_errors.ModelError):
        # Read timeout, reset or disconnect after the request went out, or an answer we cannot read.
        if action == PUBLISH:
            return OutcomeUnknown("Bluesky did not answer in time; the post may or may not have been published.")
        return TransientError("Bluesky did not answer in time.")
    return PlatformError(f"Bluesky request failed: {exc.__class__.__name__}.")
