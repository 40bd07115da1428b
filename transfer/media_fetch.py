"""Downloading a media URL of an import row: through the outbound guard (config/safe_http.py: public
addresses only, every redirect hop checked again), with a size cap (the upload limit) and a deadline.
The bytes go to a temporary file that media.services.media_upload then sniffs, strips and stores.
Only the real import calls this; a dry run checks the URL's address and never downloads."""

import os
import time
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile

from config import safe_http

TIMEOUT = (5, 20)  # connect, each read
DEADLINE_SECONDS = 60
MAX_REDIRECTS = 5


class MediaFetchError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def check_media_url(url: str) -> str | None:
    """Why `url` cannot be fetched (not http(s), a private address, a host that does not resolve), or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url[:100]} is not an http(s) address."
    try:
        safe_http.check_url(url)
    except (safe_http.BlockedAddress, safe_http.Unresolvable) as exc:
        return exc.message
    return None


def fetch_media(url: str) -> TemporaryUploadedFile:
    """The file at `url` as an upload, or MediaFetchError with a message for the user."""
    limit = settings.MEDIA_MAX_UPLOAD_BYTES
    session = safe_http.session()
    session.max_redirects = MAX_REDIRECTS
    name = os.path.basename(urlsplit(url).path)[:200] or "download"
    upload = TemporaryUploadedFile(name, "application/octet-stream", 0, None)
    try:
        with session, session.get(url, timeout=TIMEOUT, stream=True, headers={"User-Agent": "social-media-scheduler import"}) as response:
            if response.status_code >= 400:
                raise MediaFetchError(f"{url[:100]} answered HTTP {response.status_code}.")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise MediaFetchError(f"{url[:100]} is larger than the {limit // (1024 * 1024)} MB upload limit.")
            started, size = time.monotonic(), 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise MediaFetchError(f"{url[:100]} is larger than the {limit // (1024 * 1024)} MB upload limit.")
                if time.monotonic() - started > DEADLINE_SECONDS:
                    raise MediaFetchError(f"{url[:100]} took longer than {DEADLINE_SECONDS} seconds to download.")
                upload.write(chunk)
    except MediaFetchError:
        upload.close()
        raise
    except Exception as exc:
        upload.close()
        raise MediaFetchError(_describe(url, exc)) from exc
    upload.size = size
    upload.seek(0)
    return upload


def _describe(url, exc):
    blocked = safe_http.blocked_cause(exc)
    if blocked is not None:
        return blocked.message
    if isinstance(exc, requests.TooManyRedirects):
        return f"{url[:100]} redirected more than {MAX_REDIRECTS} times."
    if isinstance(exc, requests.Timeout):
        return f"{url[:100]} did not answer in time."
    if isinstance(exc, requests.RequestException):
        return f"{url[:100]} could not be downloaded."
    raise exc
