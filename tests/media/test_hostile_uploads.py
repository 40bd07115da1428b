"""Each kind of hostile or unsupported upload is a 400 with a clear message and leaves no file and no row:
polyglots, stills posing as video, HEIC, per-type size caps."""

import io
import subprocess
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from .conftest import animated_gif, image_bytes, photo_jpeg, stored_files
from .test_upload import assert_rejected, upload

pytestmark = pytest.mark.django_db


def zip_bytes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP"])
def test_it_rejects_an_image_with_an_archive_appended(auth_api, media_root, fmt):
    response = upload(auth_api, f"poly.{fmt.lower()}", image_bytes(fmt, (40, 30)) + zip_bytes())

    assert_rejected(response, media_root, "appended after its end")


def test_it_rejects_html_hidden_after_a_png(auth_api, media_root):
    response = upload(auth_api, "poly.png", image_bytes("PNG") + b"<html><script>alert(1)</script></html>")

    assert_rejected(response, media_root, "appended")


def test_it_rejects_a_corrupt_image_behind_a_valid_signature(auth_api, media_root):
    data = bytearray(image_bytes("PNG", (40, 30)))
    data[40:60] = b"\x00" * 20  # damages IHDR/IDAT: the CRC no longer matches

    assert_rejected(upload(auth_api, "bad.png", bytes(data)), media_root)


@pytest.mark.parametrize("codec", ["mjpeg", "png"])
def test_it_rejects_a_video_that_is_really_a_still_image(auth_api, media_root, tmp_path, codec):
    picture, clip = tmp_path / "p.png", tmp_path / "still.mp4"
    picture.write_bytes(image_bytes("PNG", (64, 48)))
    container = "mov" if codec == "png" else "mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(picture), "-c:v", codec, "-frames:v", "1", "-f", container, str(clip)], check=True)

    response = upload(auth_api, "clip.mp4", clip.read_bytes(), "video/mp4")

    assert_rejected(response, media_root, "still picture")


def test_it_explains_that_heic_is_not_read_here(auth_api, media_root):
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200

    assert_rejected(upload(auth_api, "IMG_0001.HEIC", heic, "image/heic"), media_root, "export the photo as JPEG")


def test_it_applies_the_cap_of_the_detected_type(auth_api, media_root, settings):
    settings.MEDIA_MAX_GIF_BYTES = 200
    gif = animated_gif()
    assert len(gif) > 200

    assert_rejected(upload(auth_api, "anim.gif", gif), media_root, "limit for gifs")
    settings.MEDIA_MAX_GIF_BYTES = 15 * 1024 * 1024
    assert upload(auth_api, "anim.gif", gif).status_code == 201


def test_it_refuses_an_image_cap_breach_even_under_the_body_limit(auth_api, media_root, settings):
    settings.MEDIA_MAX_IMAGE_BYTES = 1000
    data = photo_jpeg(100, 100)
    assert len(data) > 1000

    assert_rejected(upload(auth_api, "big.png", data), media_root, "limit for images")


def test_a_rejected_upload_leaves_no_temporary_copy_in_storage(auth_api, media_root, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100  # streamed to a temporary file, never held whole in memory
    response = auth_api.post(
        "/api/v1/media/upload/", {"file": SimpleUploadedFile("poly.jpg", image_bytes("JPEG", (200, 200)) + zip_bytes())}, format="multipart"
    )

    assert response.status_code == 400
    assert stored_files(media_root) == []
