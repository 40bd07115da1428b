"""Image renditions with Pillow: fit an (already stripped, upright) image to a network's spec: aspect
(pad or crop), longest side, pixel count, type, then bytes by binary search on quality and scale."""

from __future__ import annotations

import io

from PIL import Image

from .images import MIME_OF, PAD_COLOUR, QUALITY_RANGE, Encoded, _to_rgb, open_image
from .specs import JPEG, PNG, WEBP, GIF, NetworkSpec

MIN_SCALE = 0.05

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
        _to_rgb(image).save(out, "JPEG", quality=quality, optimize=True, icc_profile=icc, exif=b"", comment=b"")
    elif mime == WEBP:
        image.save(out, "WEBP", quality=quality, icc_profile=icc or "", exif=b"", xmp=b"")
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
