"""Post text for LinkedIn: the "little" text format of the Posts API `commentary`, and validation.

In little format `\\ | { } @ [ ] ( ) < > # * _ ~` are reserved (mentions `@[Name](urn:li:...)`, templates
`{hashtag|\\#|tag}`); LinkedIn cuts the shown text at the first unescaped one. `to_commentary` escapes
each with a backslash so the post shows exactly what was written, with one deliberate exception: a `#`
that starts a word (`#launch`) is left as is, because LinkedIn's docs list a bare `#hashtag` as the
HashtagElement, and a user who types a hashtag on LinkedIn means one. `C#`, `# 1` and `#_x` are escaped.

Length: LinkedIn allows 3,000 characters of commentary, counted (as its Java backend does) in UTF-16
code units, so an emoji outside the BMP counts 2. The limit applies to the text as written, not to the
escape backslashes.
"""

from __future__ import annotations

import re
from typing import Sequence

from social_media.platforms.base import MediaItem

MAX_CHARACTERS = 3000
MAX_IMAGES = 20
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 36_152_320
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif"}
VIDEO_TYPES = {"video/mp4"}
MIN_VIDEO_BYTES = 75 * 1024
MAX_VIDEO_BYTES = 500 * 1024 * 1024
MIN_VIDEO_SECONDS = 3
MAX_VIDEO_SECONDS = 30 * 60
MAX_ALT_TEXT = 4086

RESERVED = set("\\|{}@[]()<>#*_~")
HASHTAG = re.compile(r"(?:(?<=\s)|^)#(?=[^\W_])")


def to_commentary(text: str) -> str:
    """`text` in little format: reserved characters escaped, word-initial hashtags kept."""
    keep = {match.start() for match in HASHTAG.finditer(text)}
    return "".join(("\\" + ch) if ch in RESERVED and i not in keep else ch for i, ch in enumerate(text))


def from_commentary(little: str) -> str:
    """The shown text of a little-format commentary (backslash escapes and hashtag templates undone)."""
    little = re.sub(r"\{hashtag\|\\#\|([^}]*)\}", r"#\1", little)
    return re.sub(r"\\(.)", r"\1", little, flags=re.S)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def validate(content: str, media: Sequence[MediaItem]) -> list[str]:
    errors = []
    length = utf16_length(content or "")
    if length > MAX_CHARACTERS:
        errors.append(f"LinkedIn allows {MAX_CHARACTERS:,} characters; this text has {length:,}. Shorten it by {length - MAX_CHARACTERS:,}.")
    if not (content or "").strip() and not media:
        errors.append("LinkedIn needs text or an attachment.")
    videos = [m for m in media if m.media_type == "video"]
    images = [m for m in media if m.media_type != "video"]
    if videos and images:
        errors.append("LinkedIn posts carry either images or one video, not both; remove one kind.")
    if len(videos) > 1:
        errors.append(f"LinkedIn allows one video per post; this post has {len(videos)}.")
    if len(images) > MAX_IMAGES:
        errors.append(f"LinkedIn allows up to {MAX_IMAGES} images per post; this post has {len(images)}.")
    for number, item in enumerate(media, start=1):
        errors.extend(_media_errors(number, item))
    return errors


def _media_errors(number: int, item: MediaItem) -> list[str]:
    label = f"Attachment {number}"
    if len(item.alt_text or "") > MAX_ALT_TEXT:
        return [f"{label}: LinkedIn allows {MAX_ALT_TEXT:,} characters of alt text; shorten it."]
    if item.media_type == "video":
        return _video_errors(label, item)
    if item.mime_type not in IMAGE_TYPES:
        return [f"{label}: LinkedIn takes JPEG, PNG or GIF images, not {item.mime_type}; convert it."]
    errors = []
    if item.file_size > MAX_IMAGE_BYTES:
        errors.append(f"{label}: LinkedIn takes images up to 5 MB; this one has {item.file_size / 1_048_576:.1f} MB.")
    if item.width and item.height and item.width * item.height > MAX_IMAGE_PIXELS:
        errors.append(f"{label}: LinkedIn takes images up to 36,152,320 pixels; this one is {item.width}×{item.height}.")
    return errors


def _video_errors(label: str, item: MediaItem) -> list[str]:
    if item.mime_type not in VIDEO_TYPES:
        return [f"{label}: LinkedIn takes MP4 videos, not {item.mime_type}; convert it."]
    errors = []
    if item.file_size > MAX_VIDEO_BYTES:
        errors.append(f"{label}: LinkedIn takes videos up to 500 MB; this one has {item.file_size / 1_048_576:.0f} MB.")
    elif item.file_size < MIN_VIDEO_BYTES:
        errors.append(f"{label}: LinkedIn takes videos of at least 75 KB; this one has {item.file_size / 1024:.0f} KB.")
    if item.duration is not None and not MIN_VIDEO_SECONDS <= item.duration <= MAX_VIDEO_SECONDS:
        errors.append(f"{label}: LinkedIn takes videos from 3 seconds to 30 minutes; this one lasts {item.duration:.1f} s.")
    return errors


def texts_match(ours: str, theirs_little: str) -> bool:
    """Is a post's commentary (little format, as LinkedIn returns it) the text we would send?"""
    return " ".join(from_commentary(theirs_little or "").split()) == " ".join((ours or "").split())
