"""Identify an uploaded file from its bytes, never from its name or the client's content type.

Images are read by Pillow restricted to the four formats we accept (so no other decoder ever parses
user bytes), then checked for bytes appended after their end (polyglots); videos by media.probe
(ffprobe, or `ffmpeg -i` with imageio-ffmpeg) restricted to the mp4/mov and Matroska/WebM demuxers and
to local files (so a playlist disguised as a video cannot make ffmpeg open other files or URLs). HEIC is
recognised by its brand and refused with advice (Pillow cannot read it here).
"""

from dataclasses import dataclass, field

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from .containers import is_heif, trailing_bytes
from .probe import displayed_size, probe

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
    video_info: dict = field(default_factory=dict)


def max_pixels() -> int:
    return int(getattr(settings, "MEDIA_MAX_IMAGE_PIXELS", 0) or Image.MAX_IMAGE_PIXELS)


def check_structure(data: bytes, fmt: str):
    """Refuse data appended after the image's end (polyglots) and images whose structure is broken."""
    extra = trailing_bytes(data, fmt)
    if extra is None:
        raise UnsupportedMedia("The image is corrupt or truncated.")
    if extra:
        raise UnsupportedMedia(f"The image has {extra:,} bytes of other data appended after its end; upload the plain image.")


def sniff_image(fileobj):
    """A SniffedMedia for a JPEG/PNG/WebP/GIF, None when the bytes are no such image.
    Raises UnsupportedMedia for decompression bombs and images that fail verification."""
    fileobj.seek(0)
    try:
        with Image.open(fileobj, formats=PILLOW_OPENERS) as image:
            fmt, (width, height) = image.format, image.size
            # Pillow raises past twice MAX_IMAGE_PIXELS and only warns below that; we refuse both.
            if width * height > max_pixels():
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
            f"The image has too many pixels (limit {max_pixels():,}); it may be a decompression bomb."
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
    check_structure(fileobj.read(), fmt)
    fileobj.seek(0)
    media_type, mime_type, extension = IMAGE_FORMATS[fmt]
    return SniffedMedia(media_type, mime_type, extension, width=width, height=height)


STILL_IMAGE_CODECS = {"mjpeg", "png", "bmp", "gif", "webp", "tiff", "jpeg2000", "jpegls"}


def sniff_video(path):
    """A SniffedMedia for an MP4, MOV or WebM file with a moving video stream, None when it is no such file.
    Raises UnsupportedMedia for a still picture wrapped in a video container."""
    info = probe(path)
    if info is None:
        return None
    demuxer, stream = info["format_name"], info["video"]
    if demuxer.startswith("mov"):
        brand = info["major_brand"]
        if brand.startswith(("3g", "mj2", "m4a")):
            return None
        mime, extension = ("video/quicktime", "mov") if brand.startswith("qt") else ("video/mp4", "mp4")
    elif demuxer.startswith("matroska"):
        if stream["codec"] not in WEBM_VIDEO_CODECS:
            raise UnsupportedMedia("Matroska video is only accepted as WebM (VP8, VP9 or AV1).")
        mime, extension = "video/webm", "webm"
    else:
        return None
    duration = info.get("duration")
    if stream["codec"] in STILL_IMAGE_CODECS or not duration or duration <= 0:
        raise UnsupportedMedia("This file is a still picture inside a video container; upload the picture itself as an image.")
    width, height = displayed_size(info)
    return SniffedMedia("video", mime, extension, width=width, height=height, duration=duration, video_info=info)


def sniff(fileobj, path):
    """Identify the file (open binary `fileobj` and the same bytes at local `path`).
    Raises UnsupportedMedia when it is not an accepted image or video."""
    fileobj.seek(0)
    if is_heif(fileobj.read(12)):
        raise UnsupportedMedia("HEIC/HEIF photos cannot be read on this server; export the photo as JPEG and upload that.")
    result = sniff_image(fileobj) or sniff_video(path)
    if result is None:
        raise UnsupportedMedia()
    return result
