"""The one place where anything Mastodon.py or requests raises (plus the last HTTP response seen)
becomes a typed PlatformError, by HTTP status first and transport failure second."""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone as dt_timezone
from email.utils import parsedate_to_datetime

import requests
from mastodon.errors import (
    MastodonAPIError,
    MastodonIllegalArgumentError,
    MastodonNetworkError,
    MastodonVersionError,
)
from urllib3.exceptions import NewConnectionError

from config import safe_http
from config.numbers import decimal_digits, digits

from ..base import AccountDisconnected, InvalidContent, OutcomeUnknown, PlatformError, RateLimited, TransientError

# Actions of the connect flow: a 4xx there is a refusal to explain, not a content or token problem.
CONNECT_ACTIONS = {"authorization", "app registration"}


def http_error(response) -> MastodonAPIError:
    """The exception Mastodon.py itself raises for an error response, built from a raw response."""
    message = None
    try:
        body = response.json()
        if isinstance(body, dict):
            message = body.get("error_description") or body.get("error")
    except ValueError:
        pass
    return MastodonAPIError("Mastodon API returned error", response.status_code, response.reason, message)


def translate(exc: BaseException, response=None, *, what: str = "request", unsafe: bool = False) -> PlatformError:
    """Map a Mastodon.py / requests exception (and the last response seen) to a typed error."""
    blocked = safe_http.blocked_cause(exc)
    if blocked is not None:  # the instance, or a redirect from it, leads to a non-public address
        return AccountDisconnected(f"The Mastodon instance cannot be reached safely: {blocked.message}")
    status, server_message = _status_and_message(exc, response)
    if status == 429:
        retry_after = retry_after_seconds(response)
        wait = f" Retry in about {math.ceil(retry_after)} s." if retry_after is not None else ""
        return RateLimited(f"Mastodon's rate limit for this account was reached.{wait}", retry_after=retry_after)

    network = _network_cause(exc)
    if network is not None:
        if not _was_sent(network):
            return TransientError("Could not connect to the Mastodon instance; it may be down or unreachable.")
        if unsafe:
            return OutcomeUnknown(f"Mastodon did not answer after the {what} was sent; it may or may not have been published.")
        return TransientError(f"Mastodon did not answer the {what} request in time.")
    if isinstance(exc, MastodonVersionError):
        return PlatformError("This Mastodon instance runs a version too old for this feature.")
    if isinstance(exc, MastodonIllegalArgumentError):
        return InvalidContent(f"The {what} could not be sent to Mastodon: {exc}")
    if status is None:  # an answer Mastodon.py could not parse
        if unsafe and response is not None and response.ok:
            return OutcomeUnknown(f"Mastodon's answer to the {what} could not be read; it may have been published.")
        return TransientError(f"Mastodon sent an unreadable answer to the {what} request.")

    detail = f": {server_message}" if server_message else "."
    if status >= 500:
        return TransientError(f"Mastodon had a server error ({status}){detail}", http_status=status)
    if what in CONNECT_ACTIONS and status == 404:
        return PlatformError("No Mastodon API was found at this address.", http_status=404)
    if what in CONNECT_ACTIONS:
        return PlatformError(f"Mastodon did not accept the {what}{detail}", http_status=status)
    if status == 401:
        return AccountDisconnected(
            "Mastodon no longer accepts this account's access token (it was revoked); reconnect the account.", http_status=401
        )
    if status in (403, 410):
        reason = f": {server_message.rstrip('.!')}." if server_message else "."
        return AccountDisconnected(f"Mastodon refused access for this account{reason} Reconnect or check the account.", http_status=status)
    if status == 413:
        return InvalidContent(f"Mastodon rejected the {what}: the file is too large.", http_status=413)
    if status in (400, 422):
        return InvalidContent(f"Mastodon rejected the {what}{detail}", http_status=status)
    if status == 404:
        return PlatformError(f"Mastodon could not find the {what}.", http_status=404)
    return PlatformError(f"Mastodon answered {status} to the {what} request{detail}", http_status=status)


def _status_and_message(exc, response):
    args = getattr(exc, "args", ())
    if isinstance(exc, MastodonAPIError) and len(args) >= 4 and isinstance(args[1], int):
        return args[1], _clean(args[3])
    if response is not None and not response.ok:
        return response.status_code, None
    return None, None


def _clean(message) -> str:
    if not message:
        return ""
    text = str(message).strip()
    text = re.sub(r"^Validation failed:\s*", "", text)
    return text[:300]


def _network_cause(exc):
    """The transport failure behind `exc`: a requests exception, or the one a Mastodon.py
    MastodonNetworkError was raised from. JSON decoding errors are answers, not transport failures."""
    if isinstance(exc, requests.RequestException) and not isinstance(exc, requests.exceptions.InvalidJSONError):
        return exc
    if isinstance(exc, MastodonNetworkError):
        seen = exc.__cause__ or exc.__context__
        while seen is not None and not isinstance(seen, requests.RequestException):
            seen = seen.__cause__ or seen.__context__
        return seen or exc
    return None


def _was_sent(exc) -> bool:
    """False only when we know the request never left: refused, DNS, connect timeout, TLS handshake."""
    if isinstance(exc, (requests.ConnectTimeout, requests.exceptions.SSLError, requests.exceptions.InvalidURL)):
        return False
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)  # urllib3 MaxRetryError wraps the cause
        return not isinstance(reason, NewConnectionError)
    return True


def retry_after_seconds(response) -> float | None:
    """Seconds until the limit resets: Retry-After, else X-RateLimit-Reset (ISO 8601 on Mastodon,
    epoch seconds on some servers), measured against the server's Date header."""
    if response is None:
        return None
    headers = response.headers
    now = _parse_http_date(headers.get("Date")) or datetime.now(dt_timezone.utc)
    seconds = None
    retry_after = (headers.get("Retry-After") or "").strip()
    if retry_after:
        if (whole := digits(retry_after)) is not None:
            seconds = float(whole)
        elif (when := _parse_http_date(retry_after)) is not None:
            seconds = (when - now).total_seconds()
    reset = (headers.get("X-RateLimit-Reset") or "").strip()
    if seconds is None and reset:
        try:
            if (epoch := decimal_digits(reset)) is not None:
                when = datetime.fromtimestamp(epoch, dt_timezone.utc)
            else:
                when = datetime.fromisoformat(reset)
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt_timezone.utc)
            seconds = (when - now).total_seconds()
        except ValueError:
            seconds = None
    return None if seconds is None else max(1.0, round(seconds, 1))


def _parse_http_date(value):
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
