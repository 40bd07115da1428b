"""Image work with Pillow: strip personal metadata at upload and make thumbnails (renditions: media.image_fit).

Stripping re-writes every image from its pixels, so only what the writer is told to write survives:
no EXIF (APP1, with its GPS, camera, owner and embedded thumbnail), no XMP (APP1), no IPTC/Photoshop
(APP13), no JPEG comment (COM: Pillow copies `info["comment"]` into every JPEG it writes unless told
`comment=b""`), no FlashPix/MPF or other APP2 data, no JFIF thumbnail (Pillow writes a bare JFIF APP0:
version and density only), no PNG text (tEXt, zTXt, iTXt), eXIf or tIME chunks, no WebP EXIF/XMP
chunks, no GIF comments. The EXIF orientation is applied to the pixels first, so nothing needs the tag.

The ICC colour profile (APP2 "ICC_PROFILE", PNG iCCP, WebP ICCP) is kept, deliberately: it says how
the numbers map to colours (a Display P3 photo from a phone looks washed out without it, on every
network), and it describes a device class or colour space, not a person, a place or a time. A JPEG
that needs no rotation is re-written with its own quantisation tables (`quality="keep"`), so
stripping costs it no quality. Thumbnails and renditions (media.image_fit) are written the same way.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, ImageSequence

from .specs import GIF, JPEG, PNG, WEBP

PILLOW_FORMAT = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP", GIF: "GIF"}
MIME_OF = {"JPEG": JPEG, "MPO": JPEG, "PNG": PNG, "WEBP": WEBP, "GIF": GIF}
EXTENSION = {JPEG: "jpg", PNG: "png", WEBP: "webp", GIF: "gif"}
THUMBNAIL_SIZE = (320, 320)
QUALITY_RANGE = (50, 92)  # JPEG/WebP quality searched for the best that fits (media.image_fit)
PAD_COLOUR = (255, 255, 255)


@dataclass
class Encoded:
    data: bytes
    mime_type: str
    width: int
    height: int
    details: dict


def open_image(fileobj):
    fileobj.seek(0)
    return Image.open(fileobj, formats=["JPEG", "PNG", "WEBP", "GIF"])


def _is_animated(image) -> bool:
    return getattr(image, "is_animated", False) and getattr(image, "n_frames", 1) > 1


def _clean_frames(image):
    """Every frame, rotated upright, as fresh images that carry no metadata."""
    frames = []
    for frame in ImageSequence.Iterator(image):
        frames.append(ImageOps.exif_transpose(frame.copy()))
    return frames


def strip_metadata(fileobj) -> Encoded:
    """The image at `fileobj` re-written without personal metadata, orientation applied. Same format."""
    with open_image(fileobj) as image:
        fmt = image.format
        mime = MIME_OF[fmt]
        icc = image.info.get("icc_profile")
        orientation = image.getexif().get(0x0112, 1)
        out = io.BytesIO()
        if fmt == "JPEG" and orientation in (0, 1):
            # No rotation needed: keep the original quantisation, so the pixels are not degraded.
            image.save(out, "JPEG", quality="keep", subsampling="keep", qtables="keep", icc_profile=icc, exif=b"", comment=b"", optimize=True)
            width, height = image.size
        elif _is_animated(image):
            frames = _clean_frames(image)
            save = {"save_all": True, "append_images": frames[1:], "loop": image.info.get("loop", 0)}
            save["duration"] = [frame.info.get("duration", image.info.get("duration", 100)) for frame in ImageSequence.Iterator(image)]
            if fmt == "GIF":
                save.update(comment=b"", disposal=2 if image.info.get("transparency") is not None else 0)
                if "transparency" in image.info:
                    save["transparency"] = image.info["transparency"]
            else:
                save.update(quality=90, icc_profile=icc or "", exif=b"", xmp=b"")
            frames[0].save(out, fmt, **save)
            width, height = frames[0].size
        else:
            image.load()
            upright = ImageOps.exif_transpose(image)
            if fmt in ("JPEG", "MPO"):
                _to_rgb(upright).save(out, "JPEG", quality=95, subsampling=0, icc_profile=icc, exif=b"", comment=b"", optimize=True)
            elif fmt == "PNG":
                extra = {"transparency": image.info["transparency"]} if "transparency" in image.info else {}
                upright.save(out, "PNG", icc_profile=icc, **extra)
            elif fmt == "WEBP":
                lossless = image.info.get("lossless", False)
                upright.save(out, "WEBP", quality=95, lossless=lossless, icc_profile=icc or "", exif=b"", xmp=b"")
            else:  # a single-frame GIF
                upright.save(out, "GIF", comment=b"")
            width, height = upright.size
    return Encoded(out.getvalue(), mime, width, height, {"stripped": True})


def _to_rgb(image):
    """RGB for JPEG; transparent pixels become white rather than black."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, PAD_COLOUR)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def thumbnail(fileobj) -> bytes:
    """A JPEG of at most 320x320 for the library (first frame of animations)."""
    with open_image(fileobj) as image:
        image.draft("RGB", THUMBNAIL_SIZE)
        frame = ImageOps.exif_transpose(image.convert("RGBA") if image.mode in ("P", "LA", "PA") else image)
        frame.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        _to_rgb(frame).save(out, "JPEG", quality=80, exif=b"", comment=b"", optimize=True)
        return out.getvalue()
