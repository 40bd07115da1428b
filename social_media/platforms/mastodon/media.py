"""Attachment upload: `POST /api/v2/media` with the alt text as `description`. Mastodon answers 202
with `url: null` while it processes the file (video, large images); `GET /api/v1/media/:id` then
answers 206 until it is ready. A status may only reference processed media, so we poll, bounded."""

from __future__ import annotations

import mimetypes
import time
from datetime import timedelta
from typing import Sequence

from media.upload_cache import cached_id, remember

from ..base import MediaItem, TransientError

# Mastodon removes media that no status references about a day after upload; reuse ours well before.
MEDIA_ID_TTL = timedelta(hours=20)


def upload_media(conn, items: Sequence[MediaItem], *, poll_interval: float, timeout: float, account=None) -> list[str]:
    """Upload every item (reusing an upload an earlier attempt made for `account`), wait until each is
    processed, return the Mastodon media ids in order."""
    started = []
    for number, item in enumerate(items, start=1):
        media_id = cached_id(account=account, item=item) if account is not None else None
        started.append((item, number, media_id, None if media_id else _post(conn, item)))
    ids = []
    for item, number, media_id, attachment in started:
        if media_id is None:
            media_id = _wait_until_processed(conn, attachment, number, poll_interval, timeout)
            if account is not None:
                remember(account=account, item=item, remote_id=media_id, ttl=MEDIA_ID_TTL)
        ids.append(media_id)
    return ids


def _post(conn, item: MediaItem):
    extension = mimetypes.guess_extension(item.mime_type) or ".bin"
    handle = item.open()
    try:
        return conn.call(
            conn.api.media_post,
            handle,
            mime_type=item.mime_type,
            description=item.alt_text or None,
            file_name=f"attachment{extension}",
            what="attachment",
        )
    finally:
        handle.close()


def _wait_until_processed(conn, attachment, number: int, poll_interval: float, timeout: float) -> str:
    media_id = str(attachment["id"])
    deadline = time.monotonic() + timeout
    while attachment.get("url") is None:
        if time.monotonic() >= deadline:
            raise TransientError(f"Mastodon was still processing attachment {number} after {timeout:g} s; the post will be retried.")
        time.sleep(poll_interval)
        attachment = conn.call(conn.api.media, media_id, what="attachment")
    return media_id
