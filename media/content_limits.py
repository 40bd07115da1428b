"""What the library accepts at all, whatever the network: animation frames, animation pixels, video
pixels and video length (settings MEDIA_MAX_GIF_FRAMES, MEDIA_MAX_GIF_TOTAL_PIXELS, MEDIA_MAX_VIDEO_PIXELS,
MEDIA_MAX_VIDEO_SECONDS; docs/media.md). A 10,000-frame GIF or an 8000x8000 video costs minutes of
CPU to strip, thumbnail and convert, and no network takes either as it is.

`upload_problem` is checked at upload, before the file is stripped (a GIF's frames are counted from
their headers, none decoded); `stored_problem` at scheduling (media.renditions.plan), for files stored
before these limits. Each answers a sentence for the person, or None. The networks' own limits (X's
350 frames, ...) live in media/specs.py and lead to a conversion, not a refusal."""

from __future__ import annotations

from django.conf import settings


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.1f} megapixels"


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min" if seconds >= 3600 else f"{seconds // 60} min {seconds % 60:02d} s"


def gif_problem(*, frames: int, width: int, height: int) -> str | None:
    if frames > settings.MEDIA_MAX_GIF_FRAMES:
        return (f"This GIF has {frames:,} frames; at most {settings.MEDIA_MAX_GIF_FRAMES:,} are accepted. "
                "Shorten it, or upload it as a video.")
    total = frames * width * height
    if total > settings.MEDIA_MAX_GIF_TOTAL_PIXELS:
        return (f"This GIF has {frames:,} frames of {width}x{height} pixels ({_megapixels(total)} in all); at most "
                f"{_megapixels(settings.MEDIA_MAX_GIF_TOTAL_PIXELS)} are accepted. Make it smaller or shorter, or upload it as a video.")
    return None


def video_problem(*, width: int, height: int, duration: float | None) -> str | None:
    if width * height > settings.MEDIA_MAX_VIDEO_PIXELS:
        return (f"This video is {width}x{height} pixels ({_megapixels(width * height)}); at most "
                f"{_megapixels(settings.MEDIA_MAX_VIDEO_PIXELS)} a frame are accepted (4K, 3840x2160, fits). Export it smaller.")
    if duration and duration > settings.MEDIA_MAX_VIDEO_SECONDS:
        return (f"This video is {_duration(duration)} long; at most {_duration(settings.MEDIA_MAX_VIDEO_SECONDS)} are accepted. "
                "Trim it and upload the shorter version.")
    return None


def count_gif_frames(fileobj) -> tuple[int, int, int]:
    """(frames, width, height) of a GIF, read from its frame headers (Pillow skips the image data)."""
    from .images import open_image

    with open_image(fileobj) as image:
        return getattr(image, "n_frames", 1), image.width, image.height


def upload_problem(sniffed, fileobj) -> str | None:
    if sniffed.media_type == "gif":
        frames, width, height = count_gif_frames(fileobj)
        return gif_problem(frames=frames, width=width, height=height)
    if sniffed.media_type == "video":
        return video_problem(width=sniffed.width or 0, height=sniffed.height or 0, duration=sniffed.duration)
    return None


def stored_problem(media) -> str | None:
    if media.media_type == "gif":
        return gif_problem(frames=(media.video_info or {}).get("frames", 1), width=media.width or 0, height=media.height or 0)
    if media.media_type == "video":
        return video_problem(width=media.width or 0, height=media.height or 0, duration=media.duration)
    return None
