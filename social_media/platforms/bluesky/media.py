"""Media for a post: blobs uploaded with com.atproto.repo.uploadBlob, embedded as app.bsky.embed.images
(alt text and aspect ratio per image) or app.bsky.embed.video.

Blobs are uploaded again on every attempt: a PDS deletes blobs that no record references within a short
window, so an id kept from an earlier attempt cannot be trusted to still exist.
"""

from __future__ import annotations

import io
from typing import Sequence

from atproto_client import models
from PIL import Image, UnidentifiedImageError

from social_media.platforms.base import MediaItem

from .rules import is_video


def _read(item: MediaItem) -> bytes:
    with item.open() as handle:
        return handle.read()


def _aspect_ratio(item: MediaItem, data: bytes | None = None):
    width, height = item.width, item.height
    if (not width or not height) and data is not None:
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
        except (UnidentifiedImageError, OSError):
            return None
    if not width or not height:
        return None
    return models.AppBskyEmbedDefs.AspectRatio(width=int(width), height=int(height))


def _upload(client, data: bytes, mime_type: str):
    return client.com.atproto.repo.upload_blob(data, headers={"Content-Type": mime_type}).blob


def build_embed(client, media: Sequence[MediaItem]):
    """Upload the media and return the embed for the record, or None for a text-only post."""
    if not media:
        return None
    videos = [item for item in media if is_video(item)]
    if videos:
        video = videos[0]
        blob = _upload(client, _read(video), video.mime_type)
        return models.AppBskyEmbedVideo.Main(video=blob, alt=video.alt_text or None, aspect_ratio=_aspect_ratio(video))
    images = []
    for item in media:
        data = _read(item)
        images.append(
            models.AppBskyEmbedImages.Image(
                alt=item.alt_text or "", image=_upload(client, data, item.mime_type), aspect_ratio=_aspect_ratio(item, data)
            )
        )
    return models.AppBskyEmbedImages.Main(images=images)
