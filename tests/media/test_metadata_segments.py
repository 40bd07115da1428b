"""Every metadata segment a camera or editor writes is gone from the stored original, its thumbnail
and every network rendition. The hostile files are built segment by segment here (not by Pillow,
which cannot write most of them), and the outputs are read marker by marker."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms

from media import image_fit, images
from media.models import MediaFile
from media.renditions import rendition_for
from media.services import media_process
from media.specs import NETWORK_SPECS

SECRETS = (b"SECRET-EXIF-MAKE", b"SECRET-EXIF-THUMB", b"SECRET-XMP", b"SECRET-FPXR", b"SECRET-IPTC", b"SECRET-COMMENT",
           b"SECRET-JFIF-THUMB", b"SECRET-PNG-TEXT", b"SECRET-PNG-ZTXT", b"SECRET-PNG-ITXT", b"SECRET-WEBP")
ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def segment(marker, payload):
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def tiff_exif(orientation):
    """An EXIF block: IFD0 with Make and Orientation, IFD1 with an embedded JPEG thumbnail."""
    make = b"SECRET-EXIF-MAKE\0"
    thumb = b"\xff\xd8" + segment(0xFE, b"SECRET-EXIF-THUMB") + b"\xff\xd9"
    ifd0_at, ifd1_at = 8, 8 + 2 + 2 * 12 + 4
    make_at = ifd1_at + 2 + 2 * 12 + 4
    thumb_at = make_at + len(make)
    ifd0 = struct.pack("<H", 2) + struct.pack("<HHII", 0x010F, 2, len(make), make_at) + struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0)
    ifd0 += struct.pack("<I", ifd1_at)
    ifd1 = struct.pack("<H", 2) + struct.pack("<HHII", 0x0201, 4, 1, thumb_at) + struct.pack("<HHII", 0x0202, 4, 1, len(thumb)) + struct.pack("<I", 0)
    return b"Exif\0\0" + b"II*\0" + struct.pack("<I", ifd0_at) + ifd0 + ifd1 + make + thumb


def hostile_jpeg(orientation=1):
    """A real 64x48 JPEG whose header carries every kind of metadata segment."""
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, "JPEG", quality=90)
    data = buf.getvalue()
    body_at = 2
    while data[body_at + 1] in range(0xE0, 0xF0) or data[body_at + 1] == 0xFE:  # drop Pillow's own APPn/COM
        body_at += 2 + struct.unpack(">H", data[body_at + 2:body_at + 4])[0]
    jfif_thumb = b"SECRET-JFIF-THUMB".ljust(2 * 2 * 3, b"\0")[:12]  # 2x2 RGB thumbnail = 12 bytes
    segments = [
        segment(0xE0, b"JFIF\0\x01\x02\x01\x00\x48\x00\x48\x02\x02" + jfif_thumb.ljust(12, b"\0")),
        segment(0xE0, b"JFXX\0\x13" + b"SECRET-JFIF-THUMB"),  # JFIF extension thumbnail
        segment(0xE1, tiff_exif(orientation)),
        segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x='adobe:ns:meta/'>SECRET-XMP</x:xmpmeta>"),
        segment(0xE2, b"ICC_PROFILE\0\x01\x01" + ICC),
        segment(0xE2, b"FPXR\0\x00SECRET-FPXR"),
        segment(0xEC, b"Ducky\0SECRET-IPTC"),  # APP12
        segment(0xED, b"Photoshop 3.0\08BIM\x04\x04\0\0" + struct.pack(">I", 22) + b"\x1c\x02\x50\x00\x0bSECRET-IPTC\0\0\0\0\0\0"),
        segment(0xEE, b"Adobe\0\x64\0\0\0\0\x01"),  # APP14: colour transform flag only
        segment(0xFE, b"SECRET-COMMENT by Alice"),
    ]
    return data[:2] + b"".join(segments) + data[body_at:]


def jpeg_segments(data):
    """[(marker, payload)] from SOI up to the start of scan."""
    assert data[:2] == b"\xff\xd8"
    found, at = [], 2
    while True:
        marker = data[at + 1]
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        found.append((marker, data[at + 4:at + 2 + length]))
        if marker == 0xDA:
            return found
        at += 2 + length


def assert_clean_jpeg(data, *, keeps_icc=True):
    for secret in SECRETS:
        assert secret not in data, secret
    for marker, payload in jpeg_segments(data):
        if marker == 0xE0:
            assert payload[:5] == b"JFIF\0" and payload[12:14] == b"\0\0", payload[:16]  # no JFIF thumbnail
        elif marker == 0xE2:
            assert payload.startswith(b"ICC_PROFILE\0"), payload[:16]
        elif marker == 0xEE:
            assert payload.startswith(b"Adobe"), payload[:16]
        else:
            assert not 0xE1 <= marker <= 0xEF and marker != 0xFE, hex(marker)  # no EXIF/XMP/IPTC/APPn/COM
    icc = b"".join(p[14:] for m, p in jpeg_segments(data) if m == 0xE2)
    assert icc == (ICC if keeps_icc else b"")


def png_chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)


def hostile_png():
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 200, 30)).save(buf, "PNG")
    data = buf.getvalue()
    extra = (
        png_chunk(b"iCCP", b"sRGB\0\0" + zlib.compress(ICC))
        + png_chunk(b"tEXt", b"Author\0SECRET-PNG-TEXT")
        + png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"SECRET-PNG-ZTXT"))
        + png_chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta>SECRET-PNG-ITXT</x:xmpmeta>")
        + png_chunk(b"eXIf", tiff_exif(1)[6:])
        + png_chunk(b"tIME", struct.pack(">HBBBBB", 2026, 12, 6, 12, 0, 0))
    )
    return data[:33] + extra + data[33:]  # after the signature and IHDR


def png_chunks(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    found, at = [], 8
    while at < len(data):
        length = struct.unpack(">I", data[at:at + 4])[0]
        found.append(data[at + 4:at + 8])
        at += 12 + length
    return found


def assert_clean_png(data):
    for secret in SECRETS:
        assert secret not in data, secret
    assert not set(png_chunks(data)) & {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}, png_chunks(data)


def hostile_webp():
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 30, 200)).save(buf, "WEBP", exif=tiff_exif(1)[6:], xmp=b"<x:xmpmeta>SECRET-WEBP</x:xmpmeta>", icc_profile=ICC)
    return buf.getvalue()


def webp_chunks(data):
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    found, at = [], 12
    while at + 8 <= len(data):
        kind, length = data[at:at + 4], struct.unpack("<I", data[at + 4:at + 8])[0]
        found.append(kind)
        at += 8 + length + (length & 1)
    return found


def assert_clean(data, keeps_icc=True):
    if data[:2] == b"\xff\xd8":
        assert_clean_jpeg(data, keeps_icc=keeps_icc)
    elif data[:4] == b"\x89PNG":
        assert_clean_png(data)
    else:
        for secret in SECRETS:
            assert secret not in data, secret
        assert not set(webp_chunks(data)) & {b"EXIF", b"XMP "}, webp_chunks(data)


def test_the_hostile_files_carry_what_they_claim():
    jpeg = hostile_jpeg()
    markers = [m for m, _ in jpeg_segments(jpeg)]
    assert {0xE0, 0xE1, 0xE2, 0xEC, 0xED, 0xEE, 0xFE} <= set(markers)
    with Image.open(io.BytesIO(jpeg)) as image:  # a decodable JPEG with the comment Pillow would copy
        assert image.size == (64, 48) and b"SECRET-COMMENT" in image.info["comment"]
    assert {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"} <= set(png_chunks(hostile_png()))
    assert {b"EXIF", b"XMP "} <= set(webp_chunks(hostile_webp()))


@pytest.mark.parametrize("orientation", [1, 6])  # 1: re-written with its own tables; 6: rotated and re-encoded
def test_every_jpeg_segment_is_stripped_from_the_original_thumbnail_and_renditions(orientation):
    hostile = hostile_jpeg(orientation)

    original = images.strip_metadata(io.BytesIO(hostile))
    assert_clean_jpeg(original.data)
    assert (original.width, original.height) == ((64, 48) if orientation == 1 else (48, 64))
    assert_clean_jpeg(images.thumbnail(io.BytesIO(hostile)), keeps_icc=False)
    for platform, spec in NETWORK_SPECS.items():
        assert_clean(image_fit.render_image(io.BytesIO(hostile), spec).data)


@pytest.mark.parametrize(("name", "build"), [("photo.png", hostile_png), ("photo.webp", hostile_webp)])
def test_png_and_webp_metadata_is_stripped_from_the_original_thumbnail_and_renditions(name, build):
    hostile = build()

    assert_clean(images.strip_metadata(io.BytesIO(hostile)).data)
    assert_clean_jpeg(images.thumbnail(io.BytesIO(hostile)), keeps_icc=False)
    for spec in NETWORK_SPECS.values():
        assert_clean(image_fit.render_image(io.BytesIO(hostile), spec).data)


@pytest.mark.django_db
def test_an_uploaded_jpeg_is_stored_thumbnailed_and_rendered_clean(auth_api, media_root):
    response = auth_api.post("/api/v1/media/upload/", {"file": SimpleUploadedFile("IMG_0001.jpg", hostile_jpeg(6))}, format="multipart")
    assert response.status_code == 201, response.content
    media = media_process(media_id=response.json()["id"])
    assert media.status == MediaFile.ProcessingStatus.READY

    with media.thumbnail.open("rb") as handle:
        assert_clean_jpeg(handle.read(), keeps_icc=False)  # a thumbnail is shown in the library only
    stored = [media.file]
    for platform, spec in NETWORK_SPECS.items():
        small = spec.__class__(**{**spec.__dict__, "image_max_side": 40})  # forces a rendition for every network
        stored.append(rendition_for(media, platform, small).file)
    for field in stored:
        with field.open("rb") as handle:
            assert_clean(handle.read())


@pytest.mark.django_db
def test_strip_media_metadata_cleans_a_file_and_thumbnail_an_older_version_stored_with_the_comment(workspace, media_root, django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    from tests.factories import MediaFileFactory

    old = hostile_jpeg()
    media = MediaFileFactory(workspace=workspace, file=ContentFile(old, name="old.jpg"), mime_type="image/jpeg", width=64, height=48, file_size=len(old))
    media.thumbnail.save("thumb.jpg", ContentFile(old), save=True)
    old_thumbnail = media.thumbnail.name

    with django_capture_on_commit_callbacks(execute=True):
        call_command("strip_media_metadata", stdout=io.StringIO())

    media.refresh_from_db()
    with media.file.open("rb") as handle:
        assert_clean_jpeg(handle.read())
    with media.thumbnail.open("rb") as handle:
        assert_clean_jpeg(handle.read(), keeps_icc=False)
    assert media.thumbnail.name != old_thumbnail and not media.thumbnail.storage.exists(old_thumbnail)
