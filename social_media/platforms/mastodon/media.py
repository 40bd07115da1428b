"""Attachment upload: `POST /api/v2/media` with the alt text as `description`. Mastodon answers 202
with `url: null` while it processes the file (video, large images); `GET /api/v1/media/:id` then
answers 206 until it is ready. A status may only reference processed media, so we poll, bounded."""

from __future__ import annotations

import mimetypes
import time
from typing import Sequence

from ..base import MediaItem, TransientError


def upload_media(conn, items: Sequence[MediaItem], *, poll_interval: float, timeout: float) -> list[str]:
    """Upload every item, wait until each is processed, return the Mastodon media ids in order."""
    uploaded = [(_post(conn, item), number) for number, item in enumerate(items, start=1)]
    return [_wait_until_processed(conn, attachment, number, poll_interval, timeout) for attachment, number in uploaded]


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
