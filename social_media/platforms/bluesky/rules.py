"""What an app.bsky.feed.post may hold, checked exactly as the lexicon and the network define it.

Text: at most 300 graphemes (Unicode extended grapheme clusters, counted with `regex`'s \\X, as the
PDS counts them) and at most 3,000 UTF-8 bytes. Media: up to 4 images (PNG, JPEG, WebP or GIF, each at
most 1,000,000 bytes, alt text up to 2,000 characters) or one MP4 video of at most 50 MB (alt text up
to 1,000 graphemes, the app.bsky.embed.video lexicon's limit), never both.
"""

from __future__ import annotations

import math
from typing import Sequence

import regex

from social_media.platforms.base import MediaItem

MAX_GRAPHEMES = 300
MAX_TEXT_BYTES = 3000
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 1_000_000
MAX_IMAGE_ALT_CHARS = 2000
MAX_VIDEOS = 1
MAX_VIDEO_BYTES = 50_000_000
MAX_VIDEO_ALT_GRAPHEMES = 1000
IMAGE_MIME_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WebP", "image/gif": "GIF"}
VIDEO_MIME_TYPES = {"video/mp4"}

_GRAPHEME = regex.compile(r"\X")


def grapheme_count(text: str) -> int:
    return len(_GRAPHEME.findall(text))


def is_image(item: MediaItem) -> bool:
    return item.media_type in ("image", "gif")


def is_video(item: MediaItem) -> bool:
    return item.media_type == "video"


def _megabytes(size: int) -> str:
    """Size in MB to one decimal, rounded up so a file just over a limit never reads as the limit."""
    return f"{math.ceil(size / 100_000) / 10:g} MB"


def text_errors(content: str) -> list[str]:
    errors = []
    graphemes = grapheme_count(content)
    if graphemes > MAX_GRAPHEMES:
        errors.append(f"Bluesky allows {MAX_GRAPHEMES} characters; this post has {graphemes}.")
    size = len(content.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        errors.append(f"Bluesky allows {MAX_TEXT_BYTES:,} bytes of text; this post has {size:,}.")
    return errors


def _image_errors(number: int, item: MediaItem) -> list[str]:
    errors = []
    if item.mime_type not in IMAGE_MIME_TYPES:
        errors.append(f"Bluesky accepts PNG, JPEG, WebP and GIF images; image {number} is {item.mime_type or 'of unknown type'}.")
    if item.file_size > MAX_IMAGE_BYTES:
        errors.append(f"Bluesky allows images up to {MAX_IMAGE_BYTES:,} bytes; image {number} has {item.file_size:,}.")
    alt = item.alt_text or ""
    if len(alt) > MAX_IMAGE_ALT_CHARS:
        errors.append(f"Bluesky allows alt text up to {MAX_IMAGE_ALT_CHARS:,} characters; image {number} has {len(alt):,}.")
    return errors


def _video_errors(item: MediaItem) -> list[str]:
    errors = []
    if item.mime_type not in VIDEO_MIME_TYPES:
        errors.append(f"Bluesky accepts MP4 videos only; this video is {item.mime_type or 'of unknown type'}.")
    if item.file_size > MAX_VIDEO_BYTES:
        errors.append(f"Bluesky allows videos up to {_megabytes(MAX_VIDEO_BYTES)}; this video is {_megabytes(item.file_size)}.")
    alt = grapheme_count(item.alt_text or "")
    if alt > MAX_VIDEO_ALT_GRAPHEMES:
        errors.append(f"Bluesky allows video alt text up to {MAX_VIDEO_ALT_GRAPHEMES:,} characters; this video has {alt:,}.")
    return errors


def media_errors(media: Sequence[MediaItem]) -> list[str]:
    images = [item for item in media if is_image(item)]
    videos = [item for item in media if is_video(item)]
    errors = [
        f"Bluesky cannot attach {item.media_type} files ({item.mime_type})."
        for item in media if not is_image(item) and not is_video(item)
    ]
    if images and videos:
        errors.append("Bluesky does not allow images and a video in the same post.")
    if len(images) > MAX_IMAGES:
        errors.append(f"Bluesky allows at most {MAX_IMAGES} images per post; this post has {len(images)}.")
    if len(videos) > MAX_VIDEOS:
        errors.append(f"Bluesky allows one video per post; this post has {len(videos)}.")
    for number, item in enumerate(images, start=1):
        errors.extend(_image_errors(number, item))
    for item in videos:
        errors.extend(_video_errors(item))
    return errors


def validate(content: str, media: Sequence[MediaItem]) -> list[str]:
    """Every problem of this text and media as a Bluesky post; empty when it can be published."""
    errors = text_errors(content)
    errors.extend(media_errors(media))
    if not content.strip() and not media:
        errors.append("A Bluesky post needs text or media.")
    return errors
