"""Reads of posts on X: metrics of one post, and finding a target's post in the account's timeline.

Both use the official spec's `post.fields` query parameter (tweepy would send `tweet.fields`), and read
`repost_count` (spec) falling back to `retweet_count` (older answers).
"""

from __future__ import annotations

from datetime import timedelta, timezone as dt_timezone

from django.utils.dateparse import parse_datetime

from social_media.platforms.base import Metrics, PlatformError, PublishResult, Reconciliation

from .api import XApi
from .errors import translated
from .text import texts_match

PAGE_SIZE = 100  # GET /2/users/{id}/tweets: max_results 5..100
MAX_PAGES = 5
CLAIM_MARGIN = timedelta(minutes=1)


def post_url(username: str, post_id: str) -> str:
    return f"https://x.com/{username or 'i'}/status/{post_id}"


def fetch_metrics(api: XApi, post_id: str) -> Metrics:
    with translated(what="post"):
        answer = api.call("GET", f"/2/tweets/{post_id}", params={"post.fields": "public_metrics"})
    data = answer.get("data")
    if not data:
        errors = [e for e in answer.get("errors") or [] if isinstance(e, dict)]
        if _not_found(errors):
            raise PlatformError(f"X could not find the post: {_first_error(errors)}", http_status=404)
        raise PlatformError(f"X did not return the post's metrics: {_first_error(errors)}")
    counts = data.get("public_metrics") or {}
    return Metrics(
        likes=int(counts.get("like_count", 0)),
        reposts=int(counts.get("repost_count", counts.get("retweet_count", 0))),
        replies=int(counts.get("reply_count", 0)),
        impressions=int(counts.get("impression_count", 0)),
        raw=dict(counts),
    )


def post_gone(api: XApi, post_id: str) -> bool:
    """Does X say this post does not exist (deleted, or never was)? X answers GET /2/tweets/{id} for a
    missing post with 200 and a resource-not-found error. False when it is there or X cannot say."""
    try:
        with translated(what="post"):
            answer = api.call("GET", f"/2/tweets/{post_id}")
    except PlatformError:
        return False
    return not answer.get("data") and _not_found([e for e in answer.get("errors") or [] if isinstance(e, dict)])


def find_post(api: XApi, account, target, text: str | None = None, *, in_conversation: str | None = None) -> Reconciliation:
    """found: a post of the account whose text is the target's (or `text`: a part of its thread, a first
    comment); with `in_conversation`, only a reply in that post's conversation counts (`conversation_id`,
    the conversation's first post: X's data dictionary). not_found: X listed the account's recent posts
    (since the target's claim, when known) and none matched; else unknown (any error)."""
    wanted = target.content if text is None else text
    params = {"max_results": PAGE_SIZE, "post.fields": "created_at,conversation_id" if in_conversation else "created_at"}
    if target.claimed_at:
        params["start_time"] = (target.claimed_at - CLAIM_MARGIN).astimezone(dt_timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        for _page in range(MAX_PAGES):
            with translated(what="timeline"):
                answer = api.call("GET", f"/2/users/{account.platform_user_id}/tweets", params=params)
            if "data" not in answer and answer.get("errors"):
                return Reconciliation()
            for post in answer.get("data") or []:
                if in_conversation and (post.get("conversation_id") != in_conversation or post.get("id") == in_conversation):
                    continue
                if texts_match(wanted, post.get("text", "")):
                    return Reconciliation(found=_result(account, post))
            next_token = (answer.get("meta") or {}).get("next_token")
            if not next_token:
                return Reconciliation(not_found=True)
            params["pagination_token"] = next_token
    except PlatformError:
        return Reconciliation()
    return Reconciliation()


def _result(account, post: dict) -> PublishResult:
    published_at = parse_datetime(post["created_at"]) if post.get("created_at") else None
    return PublishResult(platform_post_id=str(post["id"]), url=post_url(account.platform_username, str(post["id"])), published_at=published_at)


def _not_found(errors: list) -> bool:
    return any(str(e.get("type", "")).endswith("/resource-not-found") for e in errors)


def _first_error(errors: list) -> str:
    for error in errors:
        if error.get("detail") or error.get("message"):
            return str(error.get("detail") or error.get("message"))
    return "no reason given"
