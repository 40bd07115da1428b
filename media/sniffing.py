"""Identify an uploaded file from its bytes, never from its name or the client's content type.

Images are read by Pillow restricted to the four formats we accept (so no other decoder ever parses
user bytes); videos by ffprobe restricted to the mp4/mov and Matroska/WebM demuxers and to local
files (so a playlist disguised as a video cannot make ffprobe open other files or URLs).
"""

from dataclasses import dataclass

import ffmpeg
from PIL import Image, UnidentifiedImageError

IMAGE_FORMATS = {
    # Pillow format -> (media type, mime type, extension)
    "JPEG": ("image", "image/jpeg", "jpg"),
    # Multi-picture JPEG (many phone cameras): Pillow's JPEG opener returns it; it is a JPEG to everyone else.
    "MPO": ("image", "image/jpeg", "jpg"),
    "PNG": ("image", "image/png", "png"),
    "WEBP": ("image", "image/webp", "webp"),
    "GIF": ("gif", "image/gif", "gif"),
}
PILLOW_OPENERS = ["JPEG", "PNG", "WEBP", "GIF"]
VIDEO_DEMUXERS = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm"
WEBM_VIDEO_CODECS = {"vp8", "vp9", "av1"}
UNSUPPORTED_MESSAGE = "Unsupported file type. Upload a JPEG, PNG, WebP or GIF image, or an MP4, MOV or WebM video."


class UnsupportedMedia(Exception):
    """The bytes are not a file we accept; `message` says why, for the user."""

    def __init__(self, message=UNSUPPORTED_MESSAGE):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SniffedMedia:
    media_type: str  # image | gif | video
    mime_type: str
    extension: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None


def sniff_image(fileobj):
    """A SniffedMedia for a JPEG/PNG/WebP/GIF, None when the bytes are no such image.
    Raises UnsupportedMedia for decompression bombs and images that fail verification."""
    fileobj.seek(0)
    try:
        with Image.open(fileobj, formats=PILLOW_OPENERS) as image:
            fmt, (width, height) = image.format, image.size
            # Pillow raises past twice MAX_IMAGE_PIXELS and only warns below that; we refuse both.
            if width * height > Image.MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError(f"{width}x{height}")
            image.verify()  # chunk CRCs and structure; a no-op for JPEG
        if fmt in ("JPEG", "MPO"):
            # Decode at 1/8 scale (cheap) so truncated scan data is caught too.
            fileobj.seek(0)
            with Image.open(fileobj, formats=["JPEG"]) as image:
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
    except Image.DecompressionBombError:
        raise UnsupportedMedia(
            f"The image has too many pixels (limit {Image.MAX_IMAGE_PIXELS:,}); it may be a decompression bomb."
        ) from None
    except UnidentifiedImageError:
        return None
    except (OSError, SyntaxError, ValueError, EOFError):
        # Pillow raises these for truncated or corrupt data behind a valid signature.
        raise UnsupportedMedia("The image is corrupt or truncated.") from None
    finally:
        fileobj.seek(0)
    if fmt not in IMAGE_FORMATS:
        return None
    media_type, mime_type, extension = IMAGE_FORMATS[fmt]
    return SniffedMedia(media_type, mime_type, extension, width=width, height=height)


def _rotation(stream):
    for side_data in stream.get("side_data_list") or []:
        if "rotation" in side_data:
            return int(float(side_data["rotation"]))
    rotate = (stream.get("tags") or {}).get("rotate")
    return int(float(rotate)) if rotate else 0


def _float_or_none(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def sniff_video(path):
    """A SniffedMedia for an MP4, MOV or WebM file with a video stream, None when it is no such file."""
    try:
        info = ffmpeg.probe(path, v="error", format_whitelist=VIDEO_DEMUXERS, protocol_whitelist="file")
    except ffmpeg.Error:
        return None
    fmt = info.get("format") or {}
    demuxer = fmt.get("format_name", "")
    video = next((s for s in info.get("streams", []) if s.get("codec_type") == "video"), None)
    if video is None or not video.get("width") or not video.get("height"):
        return None
    if demuxer.startswith("mov"):
        brand = ((fmt.get("tags") or {}).get("major_brand") or "").strip().lower()
        if brand.startswith(("3g", "mj2", "m4a")):
            return None
        mime, extension = ("video/quicktime", "mov") if brand.startswith("qt") else ("video/mp4", "mp4")
    elif demuxer.startswith("matroska"):
        if video.get("codec_name") not in WEBM_VIDEO_CODECS:
            raise UnsupportedMedia("Matroska video is only accepted as WebM (VP8, VP9 or AV1).")
        mime, extension = "video/webm", "webm"
    else:
        return None
    width, height = int(video["width"]), int(video["height"])
    if abs(_rotation(video)) in (90, 270):
        width, height = height, width  # shot in portrait: report the size as displayed
    duration = _float_or_none(fmt.get("duration")) or _float_or_none(video.get("duration"))
    return SniffedMedia("video", mime, extension, width=width, height=height, duration=duration)


def sniff(fileobj, path):
    """Identify the file (open binary `fileobj` and the same bytes at local `path`).
    Raises UnsupportedMedia when it is not an accepted image or video."""
    result = sniff_image(fileobj) or sniff_video(path)
    if result is None:
        raise UnsupportedMedia()
    return result
