"""A feed's bytes -> its items, with feedparser (RSS 0.9x-2.0, RSS 1.0, Atom 0.3/1.0). feedparser is
given a stream, never a URL or a file name: everything it reads came through feeds/fetch.py."""

from __future__ import annotations

import calendar
import hashlib
import html
import io
from dataclasses import dataclass
from datetime import UTC, datetime

import feedparser
from django.utils.html import strip_tags

from .fetch import FeedFetchError

MAX_KEY_LENGTH = 300  # FeedItem.item_key


@dataclass
class Entry:
    key: str
    title: str
    link: str
    summary: str
    author: str
    published_at: datetime | None


@dataclass
class ParsedFeed:
    title: str
    entries: list[Entry]  # oldest first


def parse(body: bytes, *, url: str = "", content_type: str = "") -> ParsedFeed:
    headers = {"content-location": url} if url else {}
    if content_type:
        headers["content-type"] = content_type
    document = feedparser.parse(io.BytesIO(body), response_headers=headers)
    if not document.get("version") and not document.entries:
        reason = document.get("bozo_exception")
        raise FeedFetchError("This is not an RSS or Atom feed" + (f" ({reason})." if reason else "."))
    entries = [_entry(raw) for raw in document.entries]
    if entries and all(e.published_at for e in entries):
        entries.sort(key=lambda e: e.published_at)  # stable: items of the same time keep document order
    else:
        entries.reverse()  # feeds list the newest first
    return ParsedFeed(title=_text(document.feed.get("title", ""))[:300], entries=entries)


def _text(value: str) -> str:
    """Plain text of a feed field that may carry HTML (feedparser has sanitized it already)."""
    return " ".join(html.unescape(strip_tags(value or "")).replace("\x00", "").split())  # PostgreSQL text has no NUL


def _when(raw) -> datetime | None:
    parsed = raw.get("published_parsed") or raw.get("updated_parsed")
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC) if parsed else None


def item_key(*, guid: str, link: str, title: str) -> str:
    """guid:<GUID or Atom id>, else link:<link>, else sha256 of title and link; long keys are hashed."""
    if guid:
        key = f"guid:{guid}"
    elif link:
        key = f"link:{link}"
    else:
        key = "sha256:" + hashlib.sha256(f"{title}\n{link}".encode()).hexdigest()
    if len(key) > MAX_KEY_LENGTH:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def _entry(raw) -> Entry:
    title, link = _text(raw.get("title", "")), (raw.get("link") or "").strip()
    if not link.startswith(("http://", "https://")) or any(c.isspace() or c == "\x00" for c in link):
        link = ""  # a javascript: or relative-without-base link is not something to post
    summary = _text(raw.get("summary", ""))
    return Entry(
        key=item_key(guid=(raw.get("id") or "").replace("\x00", "").strip(), link=link, title=title), title=title, link=link,
        summary=summary, author=_text(raw.get("author", "")), published_at=_when(raw),
    )
