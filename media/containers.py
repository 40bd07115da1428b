"""Where an image file's own structure ends, so bytes appended after it (a ZIP, HTML or script riding
along: a polyglot) are refused rather than stored. Stripping re-encodes every image anyway, so such a
payload would never be served; refusing it tells the uploader plainly.

Each walker returns the offset just past the format's end marker, or None when the structure is broken."""

from __future__ import annotations

import struct

HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif"}


def is_heif(head: bytes) -> bool:
    return len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS


def png_end(data: bytes) -> int | None:
    pos = 8
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        pos += 12 + length
        if kind == b"IEND":
            return pos if pos <= len(data) else None
    return None


def _jpeg_image_end(data: bytes, pos: int) -> int | None:
    """Offset past the EOI of the JPEG starting at `pos` (an SOI)."""
    if data[pos:pos + 2] != b"\xff\xd8":
        return None
    pos += 2
    size = len(data)
    while pos + 2 <= size:
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:
            return pos + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        if pos + 4 > size:
            return None
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        pos += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= size:
                    return None
                following = data[pos + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    pos += 1 if following == 0xFF else 2
                    continue
                break
    return None


def jpeg_end(data: bytes) -> int | None:
    """End of the JPEG, and of further JPEG images that follow it (multi-picture files from phones)."""
    end = _jpeg_image_end(data, 0)
    while end is not None and data[end:end + 2] == b"\xff\xd8":
        following = _jpeg_image_end(data, end)
        if following is None:
            break
        end = following
    return end


def gif_end(data: bytes) -> int | None:
    if len(data) < 13:
        return None
    flags = data[10]
    pos = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)

    def skip_sub_blocks(p):
        while p < len(data):
            length = data[p]
            p += 1 + length
            if length == 0:
                return p
        return None

    while pos < len(data):
        block = data[pos]
        if block == 0x3B:
            return pos + 1
        if block == 0x21:
            pos = skip_sub_blocks(pos + 2)
        elif block == 0x2C:
            if pos + 10 > len(data):
                return None
            local = data[pos + 9]
            pos += 10 + (3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0) + 1
            pos = skip_sub_blocks(pos)
        else:
            return None
        if pos is None:
            return None
    return None


def webp_end(data: bytes) -> int | None:
    if data[:4] != b"RIFF" or len(data) < 12:
        return None
    (size,) = struct.unpack("<I", data[4:8])
    return 8 + size + (size & 1)


ENDS = {"PNG": png_end, "JPEG": jpeg_end, "MPO": jpeg_end, "GIF": gif_end, "WEBP": webp_end}


def trailing_bytes(data: bytes, fmt: str) -> int | None:
    """How many bytes follow the image's end (0 for a clean file), None when its structure is broken.
    A few bytes of zero padding (some encoders) do not count."""
    end = ENDS[fmt](data)
    if end is None:
        return None
    rest = data[end:]
    return 0 if not rest.strip(b"\x00\r\n") or (len(rest) <= 2 and fmt == "WEBP") else len(rest)
