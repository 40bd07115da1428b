"""The one place where praw / prawcore failures become typed PlatformErrors: RedditAPIException items
by their error type (never their text, except RATELIMIT's wait, which only the message carries), and
prawcore exceptions by class and HTTP status."""

from __future__ import annotations

import re

import prawcore
import requests
from praw.exceptions import ClientException, RedditAPIException

from config.numbers import decimal_digits

from ..base import AccountDisconnected, InvalidContent, OutcomeUnknown, PlatformError, RateLimited, TokenExpired, TransientError
from ..http import request_was_sent

# Error types that mean this post cannot go to this subreddit as it is: the user must change it.
CONTENT_ERRORS = {
    "SUBREDDIT_NOTALLOWED": "you are not allowed to post in this subreddit",
    "SUBREDDIT_NOEXIST": "the subreddit does not exist",
    "SUBREDDIT_NO_ACCESS": "the subreddit is private",
    "BANNED_FROM_SUBREDDIT": "this account is banned from the subreddit",
    "SUBMIT_VALIDATION_FLAIR_REQUIRED": "the subreddit requires post flair: set flair_id",
    "BAD_FLAIR_TEMPLATE_ID": "the flair_id is not one of the subreddit's flairs",
    "NO_SELFS": "the subreddit does not allow text posts",
    "NO_LINKS": "the subreddit does not allow link posts",
    "NO_IMAGES": "the subreddit does not allow image posts",
    "ALREADY_SUB": "that link was already submitted to the subreddit",
    "TOO_LONG": "a field is too long",
    "NO_TEXT": "the title is required",
    "BAD_URL": "the link is not a valid URL",
    "DOMAIN_BANNED": "the subreddit does not allow links to that site",
    "SUBMIT_VALIDATION_TITLE_REQUIREMENT": "the title does not meet the subreddit's rules",
    "SUBMIT_VALIDATION_BODY_REQUIRED": "the subreddit requires body text",
    # POST /api/comment (reddit-archive/reddit r2 VSubmitParent / POST_comment):
    "TOO_OLD": "the post is archived (Reddit closes posts to comments after six months)",
    "THREAD_LOCKED": "the post is locked: its comments are closed",
    "DELETED_LINK": "the post was deleted",
}
ACCOUNT_ERRORS = {"USER_REQUIRED", "USER_SUSPENDED", "INVALID_USER"}
_WAIT = re.compile(r"(\d+)\s+(millisecond|second|minute|hour)s?", re.IGNORECASE)


def translate(exc: BaseException, *, what: str = "request", unsafe: bool = False) -> PlatformError:
    if isinstance(exc, RedditAPIException):
        return _api_error(exc, what)
    if isinstance(exc, prawcore.OAuthException):
        if exc.error in ("invalid_grant", "unauthorized_client", "invalid_client"):
            return AccountDisconnected(f"Reddit refused the stored authorization ({exc.error}); reconnect the account.", http_status=400)
        return PlatformError(f"Reddit refused the authorization: {exc.description or exc.error}.")
    if isinstance(exc, prawcore.InvalidToken):
        return TokenExpired("Reddit no longer accepts the access token.", http_status=401)
    if isinstance(exc, prawcore.TooManyRequests):
        retry = decimal_digits(exc.retry_after)
        if retry is None:
            retry = _reset(exc.response)
        return RateLimited("Reddit's API rate limit was reached.", retry_after=retry, http_status=429)
    if isinstance(exc, (prawcore.Forbidden, prawcore.InsufficientScope)):
        return AccountDisconnected(f"Reddit refused the {what} (403): the account may be suspended or the permission was withdrawn; reconnect it.", http_status=403)
    if isinstance(exc, prawcore.ServerError) or (isinstance(exc, prawcore.ResponseException) and exc.response.status_code >= 500):
        status = exc.response.status_code
        if unsafe:
            return OutcomeUnknown(f"Reddit failed ({status}) while publishing; the post may or may not exist.", http_status=status)
        return TransientError(f"Reddit had a server error ({status}).", http_status=status)
    if isinstance(exc, prawcore.NotFound):
        return PlatformError(f"Reddit could not find the {what}.", http_status=404)
    if isinstance(exc, prawcore.TooLarge):
        return InvalidContent("Reddit refused the file: it is too large.", http_status=413)
    if isinstance(exc, prawcore.BadRequest):
        return InvalidContent(f"Reddit rejected the {what} (400).", http_status=400)
    if isinstance(exc, prawcore.ResponseException):
        return PlatformError(f"Reddit answered {exc.response.status_code} to the {what}.", http_status=exc.response.status_code)
    if isinstance(exc, prawcore.RequestException):
        original = exc.original_exception
        if not isinstance(original, requests.RequestException) or not request_was_sent(original):
            return TransientError("Could not connect to Reddit; it may be down or unreachable.")
        if unsafe:
            return OutcomeUnknown(f"Reddit did not answer after the {what} was sent; it may or may not have been published.")
        return TransientError(f"Reddit did not answer the {what} request in time.")
    if isinstance(exc, (ClientException, TypeError, ValueError)):
        return InvalidContent(f"The {what} could not be sent to Reddit: {exc}")
    raise exc


def _api_error(exc: RedditAPIException, what: str) -> PlatformError:
    items = exc.items
    for item in items:
        if item.error_type == "RATELIMIT":
            return RateLimited(f"Reddit asks this account to wait before posting again: {item.message}", retry_after=wait_seconds(item.message), http_status=None)
    for item in items:
        if item.error_type in ACCOUNT_ERRORS:
            return AccountDisconnected(f"Reddit refused this account ({item.error_type}); reconnect or check it.")
    problems = [_describe(item) for item in items]
    return InvalidContent(f"Reddit rejected the {what}: " + "; ".join(problems) + ".", errors=[f"Reddit rejected the {what}: {p}." for p in problems])


def _describe(item) -> str:
    reason = CONTENT_ERRORS.get(item.error_type)
    detail = f"{reason} ({item.error_type})" if reason else f"{item.error_type}: {item.message}"
    return f"{detail} [field {item.field}]" if item.field else detail


def wait_seconds(message: str | None) -> float:
    """'you are doing that too much. try again in 5 minutes.' -> 300.0; unknown -> 600."""
    match = _WAIT.search(message or "")
    if not match:
        return 600.0
    amount, unit = int(match.group(1)), match.group(2).lower()
    return float(max(1, {"millisecond": 0, "second": amount, "minute": amount * 60, "hour": amount * 3600}[unit]))


def _reset(response) -> float | None:
    value = (response.headers.get("x-ratelimit-reset") or "").strip()
    try:
        return max(1.0, float(value))
    except ValueError:
        return None

