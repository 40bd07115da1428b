"""What a Facebook Page post may hold (Graph API /{page-id}/feed, /photos, /videos)."""

from __future__ import annotations

from typing import Sequence

from social_media.platforms.base import MediaItem

MAX_CHARACTERS = 63_206
MAX_PHOTOS = 10  # photos we attach to one feed post (attached_media)
MAX_PHOTO_BYTES = 4 * 1024 * 1024  # Meta: "Photos should be less than 4 MB"
MAX_VIDEO_BYTES = 1024 ** 3  # non-resumable Page video upload
PHOTO_TYPES = {"image/jpeg", "image/png", "image/gif", "image/tiff", "image/heif", "image/webp", "image/bmp"}
VIDEO_TYPES = {"video/mp4", "video/quicktime"}

CONTENT_LIMITS = {
    "max_characters": MAX_CHARACTERS, "max_images": MAX_PHOTOS, "max_videos": 1, "max_image_bytes": MAX_PHOTO_BYTES,
    "max_video_bytes": MAX_VIDEO_BYTES, "image_types": sorted(PHOTO_TYPES), "video_types": sorted(VIDEO_TYPES),
    "media_required": False,
}


def validate(content: str, media: Sequence[MediaItem]) -> list[str]:
    errors = []
    length = len(content or "")
    if length > MAX_CHARACTERS:
        errors.append(f"Facebook allows {MAX_CHARACTERS:,} characters; this post has {length:,}. Remove {length - MAX_CHARACTERS:,}.")
    if not (content or "").strip() and not media:
        errors.append("A Facebook post needs text or media.")
    videos = [item for item in media if item.media_type == "video"]
    photos = [item for item in media if item.media_type != "video"]
    if videos and (photos or len(videos) > 1):
        errors.append("A Facebook post holds one video on its own, or photos; remove the other attachments.")
    if len(photos) > MAX_PHOTOS:
        errors.append(f"Attach at most {MAX_PHOTOS} photos to a Facebook post; this one has {len(photos)}.")
    for number, item in enumerate(media, start=1):
        if item.media_type == "video":
            if item.mime_type not in VIDEO_TYPES:
                errors.append(f"Attachment {number}: Facebook takes MP4 or MOV video, not {item.mime_type}.")
            elif item.file_size > MAX_VIDEO_BYTES:
                errors.append(f"Attachment {number}: Facebook videos may be at most 1 GB; this one is {item.file_size / 1024 ** 3:.1f} GB.")
        elif item.mime_type not in PHOTO_TYPES:
            errors.append(f"Attachment {number}: Facebook takes JPEG, PNG, GIF, TIFF, HEIF or WebP photos, not {item.mime_type}.")
        elif item.file_size > MAX_PHOTO_BYTES:
            errors.append(f"Attachment {number}: Facebook photos may be at most 4 MB; this one is {item.file_size / 1024 ** 2:.1f} MB.")
    return errors


def with_link(content: str, link: str) -> str:
    """The text of a photo or video post carrying the target's link. Graph's /photos and /videos take
    no `link` (only /feed does, for its preview), so the link goes at the end of the caption, where
    Facebook shows it clickable; text that already holds it is left as it is."""
    content = content or ""
    if not link or link in content:
        return content
    return f"{content.rstrip()}\n\n{link}" if content.strip() else link
