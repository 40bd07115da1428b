"""Downloading a feed: through the outbound guard (config/safe_http.py checks every address and every
redirect hop), conditionally (If-None-Match / If-Modified-Since; 304 means nothing new), with a cap
on the body's size and on the time it takes. The caller parses the bytes; nothing else fetches."""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests

from config import safe_http

MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT = (5, 15)  # connect, each read
DEADLINE_SECONDS = 30  # the whole download, however slowly it drips
USER_AGENT = "social-media-scheduler feed reader"
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"


class FeedFetchError(Exception):
    """The feed could not be read; `message` is for users."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Fetched:
    not_modified: bool
    body: bytes = b""
    url: str = ""  # after redirects: the base for relative links
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""


def fetch(url: str, *, etag: str = "", last_modified: str = "") -> Fetched:
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    session = safe_http.session()
    session.max_redirects = MAX_REDIRECTS
    try:
        with session, session.get(url, headers=headers, timeout=TIMEOUT, stream=True, allow_redirects=True) as response:
            if response.status_code == 304:
                return Fetched(not_modified=True, url=response.url)
            if response.status_code >= 400:
                raise FeedFetchError(f"The feed answered HTTP {response.status_code}.")
            if response.status_code >= 300:
                raise FeedFetchError(f"The feed answered HTTP {response.status_code} without a usable redirect.")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > MAX_BYTES:
                raise FeedFetchError(_too_large())
            body = _read_capped(response)
            return Fetched(
                not_modified=False, body=body, url=response.url, content_type=response.headers.get("Content-Type", ""),
                etag=response.headers.get("ETag", "")[:500], last_modified=response.headers.get("Last-Modified", "")[:100],
            )
    except FeedFetchError:
        raise
    except Exception as exc:
        raise FeedFetchError(_describe(exc)) from exc


def _read_capped(response) -> bytes:
    started, chunks, size = time.monotonic(), [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_BYTES:
            raise FeedFetchError(_too_large())
        if time.monotonic() - started > DEADLINE_SECONDS:
            raise FeedFetchError(f"The feed took longer than {DEADLINE_SECONDS} seconds to download.")
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> str:
    size = f"{MAX_BYTES // (1024 * 1024)} MB" if MAX_BYTES >= 1024 * 1024 else f"{MAX_BYTES // 1024} KB"
    return f"The feed is larger than {size}; the scheduler reads at most that much."


def _describe(exc: Exception) -> str:
    blocked = safe_http.blocked_cause(exc)
    if blocked is not None:
        return blocked.message
    if isinstance(exc, requests.TooManyRedirects):
        return f"The feed redirected more than {MAX_REDIRECTS} times."
    if isinstance(exc, requests.Timeout):
        return "The feed's server did not answer in time."
    if isinstance(exc, requests.ConnectionError):
        return "The feed's server could not be reached."
    if isinstance(exc, requests.RequestException):
        return f"The feed could not be downloaded ({type(exc).__name__})."
    raise exc  # our own bug: let it surface
