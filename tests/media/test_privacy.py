"""Personal metadata never reaches storage: GPS, camera, author, comments and XMP are stripped at
upload for every image type (and from videos), with the EXIF orientation applied to the pixels."""

import io
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from media.models import MediaFile

URL = "/api/v1/media/upload/"
GPS_IFD = 0x8825
ORIENTATION = 0x0112
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description exif:GPSLatitude="52,31.2N" dc:creator="Alice Example"/></x:xmpmeta>'


def exif_with_gps(orientation=1):
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x013B] = "Alice Example"  # Artist
    exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    return exif.tobytes()


def landscape(size=(60, 20)):
    """Left half red, right half blue: rotation is visible in the pixels."""
    image = Image.new("RGB", size, (255, 0, 0))
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    return image


def upload(api, name, data):
    response = api.post(URL, {"file": SimpleUploadedFile(name, data)}, format="multipart")
    assert response.status_code == 201, response.content
    return MediaFile.objects.get(pk=response.json()["id"])


def stored_bytes(media):
    with media.file.open("rb") as handle:
        return handle.read()


def assert_no_personal_data(data):
    for needle in (b"Alice", b"PhoneMaker", b"GPS", b"xmpmeta"):
        assert needle not in data, needle
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        assert GPS_IFD not in exif
        assert not exif.get_ifd(GPS_IFD)
        assert "xmp" not in image.info and "comment" not in image.info


@pytest.mark.django_db
class TestImageMetadataIsStripped:
    def test_it_strips_gps_from_a_jpeg_and_keeps_its_pixels(self, auth_api, media_root):
        buf = io.BytesIO()
        landscape().save(buf, "JPEG", quality=90, exif=exif_with_gps(), xmp=XMP)
        assert b"Alice" in buf.getvalue()

        media = upload(auth_api, "IMG_0001.jpg", buf.getvalue())

        data = stored_bytes(media)
        assert_no_personal_data(data)
        with Image.open(io.BytesIO(data)) as image:
            assert image.size == (60, 20)
            assert image.getpixel((5, 10))[0] > 200  # still red on the left
        assert media.file_size == len(data)

    def test_it_applies_the_orientation_before_dropping_it(self, auth_api, media_root):
        buf = io.BytesIO()
        landscape().save(buf, "JPEG", quality=95, exif=exif_with_gps(orientation=6))  # 6: rotate 90° clockwise to view

        media = upload(auth_api, "portrait.jpg", buf.getvalue())

        data = stored_bytes(media)
        assert_no_personal_data(data)
        with Image.open(io.BytesIO(data)) as image:
            assert image.size == (20, 60)
            assert image.getexif().get(ORIENTATION, 1) == 1
            top, bottom = image.getpixel((10, 5)), image.getpixel((10, 55))
        assert top[0] > 200 and bottom[2] > 200  # red (was left) is now on top
        assert (media.width, media.height) == (20, 60)

    def test_it_strips_png_text_chunks_exif_and_xmp(self, auth_api, media_root):
        info = PngImagePlugin.PngInfo()
        info.add_text("Author", "Alice Example")
        info.add_itxt("XML:com.adobe.xmp", XMP.decode())
        buf = io.BytesIO()
        landscape().save(buf, "PNG", pnginfo=info, exif=exif_with_gps())

        data = stored_bytes(upload(auth_api, "shot.png", buf.getvalue()))

        assert_no_personal_data(data)
        with Image.open(io.BytesIO(data)) as image:
            assert not image.text

    def test_it_strips_webp_exif_and_xmp(self, auth_api, media_root):
        buf = io.BytesIO()
        landscape().save(buf, "WEBP", exif=exif_with_gps(), xmp=XMP)

        assert_no_personal_data(stored_bytes(upload(auth_api, "shot.webp", buf.getvalue())))

    def test_it_strips_gif_comments_and_keeps_the_animation(self, auth_api, media_root):
        frames = [Image.new("RGB", (20, 20), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
        buf = io.BytesIO()
        frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=80, loop=0, comment=b"Alice Example GPS 52N")

        data = stored_bytes(upload(auth_api, "anim.gif", buf.getvalue()))

        assert_no_personal_data(data)
        with Image.open(io.BytesIO(data)) as image:
            assert image.n_frames == 3

    def test_it_keeps_the_colour_profile(self, auth_api, media_root):
        from PIL import ImageCms

        icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        buf = io.BytesIO()
        landscape().save(buf, "JPEG", icc_profile=icc, exif=exif_with_gps())

        data = stored_bytes(upload(auth_api, "srgb.jpg", buf.getvalue()))

        with Image.open(io.BytesIO(data)) as image:
            assert image.info.get("icc_profile") == icc


@pytest.mark.django_db
def test_it_strips_the_location_from_a_phone_video(auth_api, media_root, tmp_path):
    path = tmp_path / "phone.mov"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=10",
         "-metadata", "location=+52.5200+013.4050/", "-metadata", "artist=Alice Example", "-f", "mov", str(path)],
        check=True,
    )
    assert b"+52.5200" in path.read_bytes()

    media = upload(auth_api, "IMG_0002.MOV", path.read_bytes())

    data = stored_bytes(media)
    assert b"+52.5200" not in data and b"Alice" not in data
    assert media.mime_type == "video/quicktime" and media.duration == pytest.approx(1.0, abs=0.2)
