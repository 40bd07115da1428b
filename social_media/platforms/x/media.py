"""Media upload on X API v2 (tweepy has none), on the adapter's authenticated session, shaped exactly as
the official OpenAPI spec (x-api-v2-openapi.json) describes:

    image      POST /2/media/upload                multipart {media, media_category=tweet_image}
    GIF/video  POST /2/media/upload/initialize     json {media_type, total_bytes, media_category}
               POST /2/media/upload/{id}/append    multipart {media, segment_index}, 4 MB per segment
               POST /2/media/upload/{id}/finalize
               GET  /2/media/upload?command=STATUS&media_id={id}  while processing_info says so
    alt text   POST /2/media/metadata              json {id, metadata: {alt_text: {text}}}
"""

from __future__ import annotations

import time
from datetime import timedelta

from social_media.platforms.base import InvalidContent, MediaItem, TransientError

from .api import XApi
from .text import MB

CHUNK_BYTES = 4 * MB
MEDIA_ID_TTL = timedelta(hours=24)  # X: "media_id ... expires after 24 hours"; reused via media.upload_cache
PROCESSING_MAX_WAIT_SECONDS = 180
MIN_POLL_SECONDS = 0.2
CATEGORIES = {"image": "tweet_image", "gif": "tweet_gif", "video": "tweet_video"}
KIND_NAMES = {"image": "image", "gif": "GIF", "video": "video"}


def upload(api: XApi, item: MediaItem) -> str:
    """Upload one attachment, wait until X has processed it, attach its alt text; return the media id."""
    stream = item.open()
    try:
        if item.media_type == "image":
            data = _upload_simple(api, item, stream)
        else:
            data = _upload_chunked(api, item, stream)
    finally:
        stream.close()
    media_id = str(data.get("id") or "")
    if not media_id:
        raise TransientError("X accepted the upload without returning a media id; will retry.")
    _wait_until_processed(api, media_id, data.get("processing_info"), KIND_NAMES.get(item.media_type, "file"))
    if item.alt_text:
        api.call("POST", "/2/media/metadata", json={"id": media_id, "metadata": {"alt_text": {"text": item.alt_text}}})
    return media_id


def _upload_simple(api: XApi, item: MediaItem, stream) -> dict:
    files = {"media": ("media", stream.read(), item.mime_type or "application/octet-stream")}
    return _data(api.call("POST", "/2/media/upload", data={"media_category": CATEGORIES["image"]}, files=files))


def _upload_chunked(api: XApi, item: MediaItem, stream) -> dict:
    body = {"media_type": item.mime_type, "total_bytes": _size(item, stream), "media_category": CATEGORIES[item.media_type]}
    media_id = str(_data(api.call("POST", "/2/media/upload/initialize", json=body)).get("id") or "")
    if not media_id:
        raise TransientError("X started the upload without returning a media id; will retry.")
    for index, chunk in enumerate(iter(lambda: stream.read(CHUNK_BYTES), b"")):
        api.call(
            "POST", f"/2/media/upload/{media_id}/append",
            data={"segment_index": str(index)}, files={"media": ("chunk", chunk, "application/octet-stream")},
        )
    return _data(api.call("POST", f"/2/media/upload/{media_id}/finalize"))


def _size(item: MediaItem, stream) -> int:
    try:
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(0)
        return size
    except (AttributeError, OSError, ValueError):
        return item.file_size


def _wait_until_processed(api: XApi, media_id: str, info: dict | None, kind: str) -> None:
    deadline = time.monotonic() + PROCESSING_MAX_WAIT_SECONDS
    while info:
        state = info.get("state")
        if state == "succeeded":
            return
        if state == "failed":
            error = info.get("error") or {}
            reason = error.get("message") or error.get("name") or "no reason given"
            raise InvalidContent(f"X could not process the {kind}: {reason}")
        wait = max(float(info.get("check_after_secs") or 0), MIN_POLL_SECONDS)
        if time.monotonic() + wait > deadline:
            raise TransientError(f"X was still processing the {kind} after {PROCESSING_MAX_WAIT_SECONDS} seconds; will retry.")
        time.sleep(wait)
        info = _data(api.call("GET", "/2/media/upload", params={"command": "STATUS", "media_id": media_id})).get("processing_info")


def _data(answer: dict) -> dict:
    data = answer.get("data")
    if not isinstance(data, dict):
        raise TransientError("X answered the upload without its data; will retry.")
    return data
