"""What X accepts, checked before any network call, and how to recognise our text in X's timeline.

Text length is twitter-text v3's weighted length (NFC; Latin-1 and common punctuation weigh 1, most
other characters such as CJK weigh 2, an emoji sequence 2, every URL 23), from PyPI `twitter-text-parser`.
Limits come from the account's `platform_settings` when set, else X's defaults:
    max_weighted_length  280 (25,000 on paid tiers)
    max_image_bytes      5 MB       max_gif_bytes   15 MB
    max_video_bytes      512 MB     max_video_seconds 140
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from typing import Sequence

from twitter_text import parse_tweet
from twitter_text.config import config as twitter_text_config

from social_media.platforms.base import MediaItem
from social_media.platforms.url_extraction import TOO_COMPLEX, TextTooComplex, extract_urls_with_indices

MB = 1024 * 1024
DEFAULT_LIMITS = {
    "max_weighted_length": 280,
    "max_image_bytes": 5 * MB,
    "max_gif_bytes": 15 * MB,
    "max_video_bytes": 512 * MB,
    "max_video_seconds": 140,
}
MAX_IMAGES = 4
MAX_ALT_TEXT = 1000  # /2/media/metadata: metadata.alt_text.text maxLength
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP", "image/gif": "GIF"}
VIDEO_TYPES = {"video/mp4": "MP4", "video/quicktime": "MOV"}
TCO_URL = r"https?://t\.co/[A-Za-z0-9]+"


def limits_for(account) -> dict:
    configured = getattr(account, "platform_settings", None) or {}
    return {key: configured.get(key) or default for key, default in DEFAULT_LIMITS.items()}


@lru_cache(maxsize=256)
def _count(text: str) -> tuple[int, bool] | None:
    """(weighted length, whether X accepts every character), or None for a text too complex to count
    in time (url_extraction.py). Cached: the composer asks for the counter and the errors of each
    account as the user types, and the count does not depend on the account's limit."""
    options = dict(twitter_text_config["defaults"], max_weighted_tweet_length=10**9)  # `valid` then speaks of characters only
    try:
        parsed = parse_tweet(text, options)
    except TextTooComplex:
        return None
    return parsed.weightedLength, parsed.valid


def weighted_length(text: str) -> int:
    """X's count; for a text too complex to count in time, its length in code points (validate says
    why it cannot be sent)."""
    counted = _count(text or "")
    return len(text) if counted is None else counted[0]


def validate(content: str, media: Sequence[MediaItem], limits: dict) -> list[str]:
    errors = _validate_text(content or "", limits)
    if not (content or "").strip() and not media:
        errors.append("X needs text or at least one attachment.")
    return errors + _validate_media(list(media), limits)


def _validate_text(content: str, limits: dict) -> list[str]:
    if not content:
        return []
    maximum = int(limits["max_weighted_length"])
    counted = _count(content)
    if counted is None:
        return [TOO_COMPLEX]
    length, characters_accepted = counted
    errors = []
    if length > maximum:
        errors.append(
            f"The text counts {length:,} characters on X, over its limit of {maximum:,} "
            "(links count 23, emoji and CJK characters count 2)."
        )
    elif not characters_accepted:
        errors.append("The text contains characters X does not accept (such as U+FFFE or U+FEFF).")
    return errors


def _validate_media(media: list[MediaItem], limits: dict) -> list[str]:
    errors = []
    images = [item for item in media if item.media_type == "image"]
    if len(media) > 1 and len(images) != len(media):
        errors.append(f"X allows one GIF or one video per post, with no other attachments; this post has {len(media)}.")
    elif len(images) > MAX_IMAGES:
        errors.append(f"X allows at most {MAX_IMAGES} images per post; this post has {len(images)}.")
    for position, item in enumerate(media, start=1):
        errors.extend(_validate_item(item, position, limits))
    return errors


def _validate_item(item: MediaItem, position: int, limits: dict) -> list[str]:
    kind = item.media_type
    if kind == "image":
        label, allowed, max_bytes = f"Image {position}", IMAGE_TYPES, limits["max_image_bytes"]
    elif kind == "gif":
        label, allowed, max_bytes = f"The GIF (attachment {position})", {"image/gif": "GIF"}, limits["max_gif_bytes"]
    elif kind == "video":
        label, allowed, max_bytes = f"The video (attachment {position})", VIDEO_TYPES, limits["max_video_bytes"]
    else:
        return [f"Attachment {position} is of type '{kind}'; X accepts images, GIFs and videos."]
    errors = []
    if item.mime_type not in allowed:
        errors.append(f"{label} is {item.mime_type or 'of an unknown type'}; X accepts {', '.join(allowed.values())} here.")
    if item.file_size > max_bytes:
        errors.append(f"{label} is {_megabytes(item.file_size)}; X accepts at most {_megabytes(max_bytes)}.")
    max_seconds = limits["max_video_seconds"]
    if kind == "video" and item.duration is not None and item.duration > max_seconds:
        errors.append(f"{label} is {item.duration:.1f} seconds long; X accepts at most {max_seconds:g} seconds.")
    if len(item.alt_text or "") > MAX_ALT_TEXT:
        errors.append(f"The alt text of attachment {position} is {len(item.alt_text):,} characters; X accepts at most {MAX_ALT_TEXT:,}.")
    return errors


def _megabytes(size: int) -> str:
    value = f"{size / MB:.2f}".rstrip("0").rstrip(".")
    return f"{value} MB"


# --- Recognising our post in X's timeline ---------------------------------------------------
def texts_match(ours: str, theirs: str) -> bool:
    """Is `theirs` (as X returns it) the post we sent as `ours`? Compared after NFC and whitespace
    normalisation; X HTML-escapes &<>, rewrites every link to https://t.co/... and appends a t.co
    link per attached media, so a URL of ours matches either itself or any t.co link."""
    return _pattern(ours).fullmatch(_normalise(html.unescape(theirs or ""))) is not None


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def _pattern(ours: str) -> re.Pattern:
    text = _normalise(ours or "")
    parts, cursor = [], 0
    try:
        entities = extract_urls_with_indices(text)
    except TextTooComplex:  # never validated, so never sent: compare as plain text
        entities = []
    for entity in entities:
        start, end = entity["indices"]
        parts.append(_literal(text[cursor:start]))
        parts.append(f"(?:{TCO_URL}|{re.escape(entity['url'])})")
        cursor = end
    parts.append(_literal(text[cursor:]))
    media_links = f"(?:\\s*{TCO_URL})*" if text else f"(?:{TCO_URL})?(?:\\s+{TCO_URL})*"
    return re.compile("".join(parts) + media_links)


def _literal(text: str) -> str:
    return r"\s+".join(re.escape(piece) for piece in text.split(" "))
