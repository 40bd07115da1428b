"""Image work with Pillow: strip personal metadata at upload, make thumbnails and per-network renditions.

Stripping re-writes every image without EXIF, XMP, IPTC, PNG text chunks and GIF comments, with the EXIF
orientation applied to the pixels (so nothing needs the tag any more). The ICC colour profile is kept:
it describes colours, not people. A JPEG that needs no rotation is re-written with its own quantisation
tables (`quality="keep"`), so stripping costs it no quality.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, ImageSequence

from .specs import GIF, JPEG, PNG, WEBP, NetworkSpec

PILLOW_FORMAT = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP", GIF: "GIF"}
MIME_OF = {"JPEG": JPEG, "MPO": JPEG, "PNG": PNG, "WEBP": WEBP, "GIF": GIF}
EXTENSION = {JPEG: "jpg", PNG: "png", WEBP: "webp", GIF: "gif"}
THUMBNAIL_SIZE = (320, 320)
QUALITY_RANGE = (50, 92)  # JPEG/WebP quality searched for the best that fits
MIN_SCALE = 0.05
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
            image.save(out, "JPEG", quality="keep", subsampling="keep", qtables="keep", icc_profile=icc, exif=b"", optimize=True)
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
                _to_rgb(upright).save(out, "JPEG", quality=95, subsampling=0, icc_profile=icc, exif=b"", optimize=True)
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
        _to_rgb(frame).save(out, "JPEG", quality=80, optimize=True)
        return out.getvalue()


# --- Renditions ---------------------------------------------------------------------------------
def fits(spec: NetworkSpec, mime: str, size: int, width: int, height: int) -> bool:
    """Whether an image file as it is already meets the network's rules (type, bytes, sides, aspect)."""
    if mime not in spec.image_types or size > spec.image_max_bytes:
        return False
    if spec.image_max_side and max(width, height) > spec.image_max_side:
        return False
    if spec.image_max_pixels and width * height > spec.image_max_pixels:
        return False
    ratio = width / height
    if spec.aspect_min and ratio < spec.aspect_min - 1e-3:
        return False
    return not (spec.aspect_max and ratio > spec.aspect_max + 1e-3)


def fit_aspect(image, spec: NetworkSpec, fit: str):
    """Pad (default) or centre-crop the image into the network's aspect ratio range."""
    width, height = image.size
    ratio = width / height
    low, high = spec.aspect_min, spec.aspect_max
    if low and ratio < low:
        target = low  # too tall
    elif high and ratio > high:
        target = high  # too wide
    else:
        return image
    if fit == "crop":
        if ratio > target:
            new_width = max(1, round(height * target))
            left = (width - new_width) // 2
            return image.crop((left, 0, left + new_width, height))
        new_height = max(1, round(width / target))
        top = (height - new_height) // 2
        return image.crop((0, top, width, top + new_height))
    if ratio > target:
        size = (width, max(1, round(width / target)))
    else:
        size = (max(1, round(height * target)), height)
    canvas = Image.new(image.mode if image.mode in ("RGB", "RGBA") else "RGB", size, PAD_COLOUR)
    canvas.paste(image, ((size[0] - width) // 2, (size[1] - height) // 2))
    return canvas


def _bounded_size(width, height, spec: NetworkSpec):
    scale = 1.0
    if spec.image_max_side and max(width, height) > spec.image_max_side:
        scale = spec.image_max_side / max(width, height)
    if spec.image_max_pixels and width * height * scale * scale > spec.image_max_pixels:
        scale = min(scale, (spec.image_max_pixels / (width * height)) ** 0.5)
    return scale


def _output_type(spec: NetworkSpec, source_mime: str, has_alpha: bool) -> str:
    if source_mime in spec.image_types and source_mime != GIF:
        return source_mime
    if has_alpha and PNG in spec.image_types:
        return PNG
    return JPEG if JPEG in spec.image_types else sorted(spec.image_types)[0]


def _encode(image, mime: str, quality: int, icc) -> bytes:
    out = io.BytesIO()
    if mime == JPEG:
        _to_rgb(image).save(out, "JPEG", quality=quality, optimize=True, icc_profile=icc)
    elif mime == WEBP:
        image.save(out, "WEBP", quality=quality, icc_profile=icc or "")
    else:
        image.save(out, "PNG", optimize=quality < QUALITY_RANGE[1], icc_profile=icc)
    return out.getvalue()


def _resized(image, scale: float):
    if scale >= 0.999:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def render_image(fileobj, spec: NetworkSpec, *, fit: str = "pad") -> Encoded:
    """The image made to fit `spec`: aspect (pad/crop), longest side, pixels, type, then bytes.

    Bytes are fitted by binary search: first the highest quality in QUALITY_RANGE that fits at the
    largest allowed size; when even the lowest quality is too big, the largest scale that fits at
    the lowest quality. Each probe is one encode, so a 12-MP photo costs a handful of encodes."""
    with open_image(fileobj) as image:
        icc = image.info.get("icc_profile")
        source_mime = MIME_OF[image.format]
        scale = _bounded_size(*image.size, spec)
        if scale < 0.5:
            image.draft("RGB" if image.mode == "RGB" else None, (round(image.width * scale), round(image.height * scale)))
        image.load()
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        base = image.convert("RGBA" if has_alpha else "RGB") if image.mode not in ("RGB", "RGBA") else image
    mime = _output_type(spec, source_mime, has_alpha)
    base = fit_aspect(base, spec, fit)
    base = _resized(base, _bounded_size(*base.size, spec))
    low, high = QUALITY_RANGE
    details = {"fit": fit if (spec.aspect_min or spec.aspect_max) else None}

    def encode(img, quality):
        return _encode(img, mime, quality, icc)

    best = _best_quality(base, encode, spec.image_max_bytes, low, high)
    if best is not None:
        quality, data = best
        details.update(quality=quality, scale=1.0)
        return Encoded(data, mime, base.width, base.height, details)
    if mime == PNG and JPEG in spec.image_types:
        mime = JPEG  # a photo saved as PNG: JPEG is what makes it small
        best = _best_quality(base, encode, spec.image_max_bytes, low, high)
        if best is not None:
            details.update(quality=best[0], scale=1.0)
            return Encoded(best[1], mime, base.width, base.height, details)
    scale, data, image = _best_scale(base, lambda img: encode(img, low), spec.image_max_bytes)
    details.update(quality=low, scale=round(scale, 4))
    return Encoded(data, mime, image.width, image.height, details)


def _best_quality(image, encode, max_bytes, low, high):
    """(quality, bytes) of the highest quality in [low, high] whose encoding fits, or None."""
    data = encode(image, high)
    if len(data) <= max_bytes:
        return high, data
    data = encode(image, low)
    if len(data) > max_bytes:
        return None
    best = (low, data)
    while high - low > 2:
        middle = (low + high) // 2
        data = encode(image, middle)
        if len(data) <= max_bytes:
            low, best = middle, (middle, data)
        else:
            high = middle
    return best


def _best_scale(image, encode, max_bytes, steps=7):
    """(scale, bytes, image) of the largest scale whose encoding fits (binary search in (MIN_SCALE, 1))."""
    low, high = MIN_SCALE, 1.0
    smallest = _resized(image, low)
    best = (low, encode(smallest), smallest)
    for _ in range(steps):
        middle = (low + high) / 2
        candidate = _resized(image, middle)
        data = encode(candidate)
        if len(data) <= max_bytes:
            low, best = middle, (middle, data, candidate)
        else:
            high = middle
    return best
