"""Threads media: what Threads accepts (Meta's "Media Specifications" for Threads posts) and the
containers that carry it. Threads fetches every file itself from a public URL (`image_url` /
`video_url`), so each MediaItem must offer `public_url()` (S3, or files served under PUBLIC_BASE_URL)."""

from __future__ import annotations

import time
from typing import Sequence

from .. import public_media
from ..base import InvalidContent, MediaItem, TransientError

IMAGE_TYPES = {"image/jpeg", "image/png"}
VIDEO_TYPES = {"video/mp4", "video/quicktime"}
MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_VIDEO_BYTES = 1024 * 1024 * 1024
MAX_VIDEO_SECONDS = 5 * 60
MIN_CAROUSEL, MAX_CAROUSEL = 2, 20


def media_problems(media: Sequence[MediaItem]) -> list[str]:
    problems = []
    if len(media) > MAX_CAROUSEL:
        problems.append(f"Threads takes at most {MAX_CAROUSEL} images or videos in one post; remove {len(media) - MAX_CAROUSEL}.")
    for number, item in enumerate(media, start=1):
        label = f"Attachment {number}"
        if item.media_type == "image":
            if item.mime_type not in IMAGE_TYPES:
                problems.append(f"{label}: Threads accepts JPEG or PNG images, not {item.mime_type}.")
            elif item.file_size > MAX_IMAGE_BYTES:
                problems.append(f"{label}: Threads images must be at most 8 MB; this one is {item.file_size / 1024 / 1024:.1f} MB.")
        elif item.media_type == "video":
            if item.mime_type not in VIDEO_TYPES:
                problems.append(f"{label}: Threads accepts MP4 or MOV videos, not {item.mime_type}.")
            if item.file_size > MAX_VIDEO_BYTES:
                problems.append(f"{label}: Threads videos must be at most 1 GB.")
            if item.duration and item.duration > MAX_VIDEO_SECONDS:
                problems.append(f"{label}: Threads videos must be at most 5 minutes; this one is {item.duration:.0f} s.")
        else:
            problems.append(f"{label}: Threads does not accept {item.media_type} files; use a JPEG/PNG image or an MP4 video.")
    return problems + public_media.media_problems("Threads", media)


def _media_url(item: MediaItem) -> str:
    url = item.public_url() if item.public_url else None
    if not url:
        raise InvalidContent(
            "Threads fetches media from a public URL, and this server cannot offer one: set PUBLIC_BASE_URL to this "
            "server's public https address, or store media on S3."
        )
    return url


def item_fields(item: MediaItem) -> dict:
    if item.media_type == "video":
        fields = {"media_type": "VIDEO", "video_url": _media_url(item)}
    else:
        fields = {"media_type": "IMAGE", "image_url": _media_url(item)}
    if item.alt_text:
        fields["alt_text"] = item.alt_text
    return fields


def container_fields(client, user_id: str, text: str, media: Sequence[MediaItem]) -> dict:
    """The POST /{user-id}/threads form for the post's (parent) container; carousel children are
    created here first, each as its own `is_carousel_item` container."""
    if not media:
        return {"media_type": "TEXT", "text": text}
    if len(media) == 1:
        return {**item_fields(media[0]), "text": text}
    children = []
    for item in media:
        child = client.post(f"{user_id}/threads", {**item_fields(item), "is_carousel_item": "true"}, what="carousel item")
        children.append(str(child["id"]))
    return {"media_type": "CAROUSEL", "children": ",".join(children), "text": text}


def wait_until_finished(client, container_id: str, *, interval: float, timeout: float) -> dict:
    """Poll the container's `status` until FINISHED. ERROR: InvalidContent with Meta's error_message;
    EXPIRED: TransientError (a new container is made next time); still IN_PROGRESS after `timeout`:
    TransientError (the next attempt polls the same container)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = client.get(container_id, {"fields": "id,status,error_message"}, what="media container")
        status = answer.get("status")
        if status in ("FINISHED", "PUBLISHED"):
            return answer
        if status == "ERROR":
            reason = answer.get("error_message") or "UNKNOWN"
            raise InvalidContent(f"Threads could not process the media ({reason}). Check that the file is reachable and valid.")
        if status == "EXPIRED":
            raise TransientError("The Threads media container expired before it was published; a new one is made on retry.")
        if time.monotonic() >= deadline:
            raise TransientError(f"Threads was still processing the media after {timeout:.0f} s; will check again.")
        time.sleep(interval)
