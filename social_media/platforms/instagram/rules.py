"""What Instagram's content publishing API accepts (Instagram Graph API, IG User /media)."""

from __future__ import annotations

import re
from typing import Sequence

from social_media.platforms import public_media
from social_media.platforms.base import MediaItem

MAX_CAPTION = 2_200
MAX_HASHTAGS = 30
MAX_MENTIONS = 20
MAX_CAROUSEL = 10
MAX_IMAGE_BYTES = 8 * 1024 * 1024
MIN_ASPECT, MAX_ASPECT = 4 / 5, 1.91
MAX_VIDEO_BYTES = 1024 ** 3
REEL_SECONDS = (3, 15 * 60)
CAROUSEL_VIDEO_SECONDS = (3, 60)
VIDEO_TYPES = {"video/mp4", "video/quicktime"}
HASHTAG = re.compile(r"(?<![\w&])#\w+")
MENTION = re.compile(r"(?<![\w.])@[\w.]+")

CONTENT_LIMITS = {
    "max_characters": MAX_CAPTION, "max_hashtags": MAX_HASHTAGS, "max_mentions": MAX_MENTIONS, "media_required": True,
    "max_images": MAX_CAROUSEL, "max_image_bytes": MAX_IMAGE_BYTES, "image_types": ["image/jpeg"],
    "image_aspect_ratio": ["4:5", "1.91:1"], "video_types": sorted(VIDEO_TYPES), "max_video_bytes": MAX_VIDEO_BYTES,
    "reel_seconds": list(REEL_SECONDS), "needs_public_media_url": True,
}


def validate(content: str, media: Sequence[MediaItem]) -> list[str]:
    content = content or ""
    errors = []
    if len(content) > MAX_CAPTION:
        errors.append(f"Instagram captions allow {MAX_CAPTION:,} characters; this one has {len(content):,}. Remove {len(content) - MAX_CAPTION:,}.")
    hashtags, mentions = len(HASHTAG.findall(content)), len(MENTION.findall(content))
    if hashtags > MAX_HASHTAGS:
        errors.append(f"Instagram allows {MAX_HASHTAGS} hashtags; this caption has {hashtags}. Remove {hashtags - MAX_HASHTAGS}.")
    if mentions > MAX_MENTIONS:
        errors.append(f"Instagram allows {MAX_MENTIONS} @mentions; this caption has {mentions}. Remove {mentions - MAX_MENTIONS}.")
    if not media:
        errors.append("Instagram posts need a photo or video; attach at least one.")
    if len(media) > MAX_CAROUSEL:
        errors.append(f"An Instagram carousel holds at most {MAX_CAROUSEL} items; this post has {len(media)}.")
    carousel = len(media) > 1
    for number, item in enumerate(media, start=1):
        errors.extend(f"Attachment {number}: {problem}" for problem in _item_problems(item, carousel))
    return errors + public_media.media_problems("Instagram", media)


def _item_problems(item: MediaItem, carousel: bool) -> list[str]:
    if item.media_type == "video":
        return _video_problems(item, carousel)
    if item.mime_type != "image/jpeg":
        return [f"Instagram takes JPEG images only, not {item.mime_type}; convert it to JPEG."]
    problems = []
    if item.file_size > MAX_IMAGE_BYTES:
        problems.append(f"Instagram images may be at most 8 MB; this one is {item.file_size / 1024 ** 2:.1f} MB.")
    if item.width and item.height:
        ratio = item.width / item.height
        if not MIN_ASPECT - 0.005 <= ratio <= MAX_ASPECT + 0.005:
            problems.append(f"Instagram images must be between 4:5 (portrait) and 1.91:1 (landscape); this one is "
                            f"{item.width}×{item.height}. Crop it.")
    return problems


def _video_problems(item: MediaItem, carousel: bool) -> list[str]:
    if item.mime_type not in VIDEO_TYPES:
        return [f"Instagram takes MP4 or MOV video, not {item.mime_type}."]
    problems = []
    if item.file_size > MAX_VIDEO_BYTES:
        problems.append(f"Instagram videos may be at most 1 GB; this one is {item.file_size / 1024 ** 3:.1f} GB.")
    low, high = CAROUSEL_VIDEO_SECONDS if carousel else REEL_SECONDS
    if item.duration is not None and not low <= item.duration <= high:
        kind = "carousel videos" if carousel else "reels"
        problems.append(f"Instagram {kind} must last {low} to {high} seconds; this one lasts {item.duration:.0f} s.")
    return problems
