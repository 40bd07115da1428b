"""Did a target's status land? Read-only: looks through the account's recent statuses, never posts.

Mastodon returns statuses as rendered HTML (`content`), so a candidate is first compared on its
visible text (tags stripped, mentions shortened to @user, whitespace collapsed). Candidates created
after the claim that do not match that way are checked exactly against their source text
(`GET /api/v1/statuses/:id/source`, our own statuses only), a few at most.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone as dt_timezone

from ..base import PlatformError, PublishResult, Reconciliation

CLOCK_SKEW = timedelta(minutes=2)
MAX_SOURCE_LOOKUPS = 10
_MENTION_DOMAIN = re.compile(r"(?<![=/\w])@(\w[\w.-]*)@[\w.-]+\w")


def find_status(conn, *, account_id: str, text: str, since: datetime | None, limit: int, to_result, in_reply_to_id=None) -> Reconciliation:
    """`in_reply_to_id`: only a status replying to that one counts (a part of a thread)."""
    statuses = list(conn.call(conn.api.account_statuses, account_id, limit=limit, exclude_reblogs=True, what="recent posts"))
    candidates = [s for s in statuses if since is None or _created(s) is None or _created(s) >= since - CLOCK_SKEW]
    if in_reply_to_id is not None:
        candidates = [s for s in candidates if str(s.get("in_reply_to_id") or "") == str(in_reply_to_id)]
    wanted = _visible(text)
    for status in candidates:
        if _visible(_html_to_text(status.get("content") or "")) == wanted:
            return Reconciliation(found=to_result(status))
    for status in candidates[:MAX_SOURCE_LOOKUPS]:
        try:
            source = conn.call(conn.api.status_source, status["id"], what="post source")
        except PlatformError as exc:
            if exc.retryable:
                raise
            break  # an instance without /source (older than 3.5): only the visible-text comparison counts
        if (source.get("text") or "").strip() == (text or "").strip():
            return Reconciliation(found=to_result(status))
    oldest = min((c for c in (_created(s) for s in statuses) if c is not None), default=None)
    saw_everything_since = len(statuses) < limit or (since is not None and oldest is not None and oldest < since - CLOCK_SKEW)
    return Reconciliation(not_found=True) if saw_everything_since else Reconciliation()


def status_result(status, fallback_url: str) -> PublishResult:
    created = _created(status)
    return PublishResult(
        platform_post_id=str(status["id"]),
        url=status.get("url") or status.get("uri") or fallback_url,
        published_at=created,
    )


def _created(status) -> datetime | None:
    value = status.get("created_at")
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        return None
    return value.astimezone(dt_timezone.utc)  # Mastodon.py hands out local time


def _html_to_text(content: str) -> str:
    content = re.sub(r"(?i)<br\s*/?>", "\n", content)
    content = re.sub(r"(?i)</p>\s*<p[^>]*>", "\n\n", content)
    return html.unescape(re.sub(r"<[^>]+>", "", content))


def _visible(text: str) -> str:
    """What a reader sees: Mastodon shows `@user@domain` mentions as `@user`."""
    return " ".join(_MENTION_DOMAIN.sub(r"@\1", text or "").split())
