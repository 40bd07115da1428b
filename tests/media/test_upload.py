import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import Membership
from media.models import MediaFile
from tests.factories import MembershipFactory, WorkspaceFactory

from .conftest import image_bytes, png_claiming_size, stored_files

URL = "/api/v1/media/upload/"


def upload(api, name, content, content_type="application/octet-stream", **extra):
    data = {"file": SimpleUploadedFile(name, content, content_type=content_type), **extra}
    return api.post(URL, data, format="multipart")


def assert_rejected(response, media_root, fragment=""):
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "file" in error["fields"], error
    assert fragment.lower() in " ".join(error["fields"]["file"]).lower()
    assert MediaFile.objects.count() == 0
    assert stored_files(media_root) == []


@pytest.mark.django_db
class TestImageUpload:
    def test_it_stores_a_png_with_the_sniffed_type_and_dimensions(self, auth_api, workspace, media_root):
        response = upload(auth_api, "banner.png", image_bytes("PNG", (64, 48)), "image/png", alt_text="A red banner")

        assert response.status_code == 201, response.content
        body = response.json()
        assert body["media_type"] == "image"
        assert body["mime_type"] == "image/png"
        assert (body["width"], body["height"], body["duration"]) == (64, 48, None)
        assert body["alt_text"] == "A red banner"
        assert body["original_filename"] == "banner.png"
        assert body["url"].startswith("http://127.0.0.1:8000/media/public/")  # signed, expiring (private storage)
        media = MediaFile.objects.get(pk=body["id"])
        assert media.workspace == workspace
        assert media.uploaded_by == auth_api.user
        assert media.file_size == body["file_size"] == len(image_bytes("PNG", (64, 48)))
        assert stored_files(media_root) == [media.file.name]
        assert media.file.name.endswith(".png")

    def test_it_trusts_the_content_over_the_name_and_client_content_type(self, auth_api, media_root):
        response = upload(auth_api, "holiday.png", image_bytes("JPEG", (30, 20)), "image/png")

        assert response.status_code == 201, response.content
        assert response.json()["mime_type"] == "image/jpeg"
        assert MediaFile.objects.get().file.name.endswith(".jpg")

    def test_it_treats_a_multi_picture_jpeg_from_a_phone_as_jpeg(self, auth_api, media_root):
        buf = io.BytesIO()
        Image.new("RGB", (30, 20)).save(buf, "MPO", save_all=True, append_images=[Image.new("RGB", (30, 20), (9, 9, 9))])

        response = upload(auth_api, "IMG_0001.JPG", buf.getvalue(), "image/jpeg")

        assert response.status_code == 201, response.content
        assert (response.json()["mime_type"], response.json()["width"]) == ("image/jpeg", 30)
        assert MediaFile.objects.get().file.name.endswith(".jpg")

    def test_it_classifies_a_gif_as_gif(self, auth_api, media_root):
        response = upload(auth_api, "anim.jpg", image_bytes("GIF", (10, 12)), "image/jpeg")

        assert response.status_code == 201, response.content
        assert response.json()["media_type"] == "gif"
        assert response.json()["mime_type"] == "image/gif"
        assert (response.json()["width"], response.json()["height"]) == (10, 12)

    def test_it_accepts_webp(self, auth_api, media_root):
        response = upload(auth_api, "photo", image_bytes("WEBP", (20, 20)))

        assert response.status_code == 201, response.content
        assert (response.json()["media_type"], response.json()["mime_type"]) == ("image", "image/webp")
        assert MediaFile.objects.get().file.name.endswith(".webp")

    def test_it_keeps_only_the_base_name_of_the_client_file_name(self, auth_api, media_root):
        response = upload(auth_api, "..\\..\\etc\\photo.png", image_bytes("PNG"))

        assert response.status_code == 201, response.content
        assert response.json()["original_filename"] == "photo.png"
        assert stored_files(media_root)[0].startswith("workspaces/")

    def test_it_rejects_text_named_like_an_image(self, auth_api, media_root):
        response = upload(auth_api, "cat.jpg", b"<html>definitely not a jpeg</html>" * 20, "image/jpeg")

        assert_rejected(response, media_root, "unsupported file type")

    def test_it_rejects_an_image_format_we_do_not_publish(self, auth_api, media_root):
        response = upload(auth_api, "scan.bmp", image_bytes("BMP"), "image/bmp")

        assert_rejected(response, media_root, "unsupported file type")

    def test_it_rejects_a_truncated_png(self, auth_api, media_root):
        response = upload(auth_api, "broken.png", image_bytes("PNG", (300, 300))[:-40], "image/png")

        assert_rejected(response, media_root)

    def test_it_rejects_a_jpeg_whose_scan_data_is_cut_off(self, auth_api, media_root):
        buf = io.BytesIO()
        Image.effect_noise((400, 300), 50).convert("RGB").save(buf, "JPEG")
        response = upload(auth_api, "half.jpg", buf.getvalue()[: len(buf.getvalue()) // 2], "image/jpeg")

        assert_rejected(response, media_root, "truncated")

    def test_it_rejects_a_decompression_bomb(self, auth_api, media_root):
        response = upload(auth_api, "bomb.png", png_claiming_size(30000, 30000), "image/png")

        assert_rejected(response, media_root, "too many pixels")

    @pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
    def test_it_rejects_an_image_just_over_the_pixel_limit(self, auth_api, media_root, settings):
        settings.MEDIA_MAX_IMAGE_PIXELS = 1000
        response = upload(auth_api, "big.png", image_bytes("PNG", (40, 40)), "image/png")

        assert_rejected(response, media_root, "too many pixels")

    def test_it_rejects_an_empty_file(self, auth_api, media_root):
        response = upload(auth_api, "empty.png", b"", "image/png")

        assert_rejected(response, media_root, "empty")

    def test_it_rejects_a_file_over_the_upload_limit(self, auth_api, media_root, settings):
        settings.MEDIA_MAX_UPLOAD_BYTES = 1000
        response = upload(auth_api, "large.png", image_bytes("PNG", (200, 200), compress_level=0), "image/png")

        assert_rejected(response, media_root, "limit")

    def test_it_refuses_a_body_declared_far_over_the_limit_before_reading_it(self, auth_api, media_root, settings):
        settings.MEDIA_MAX_UPLOAD_BYTES = 10
        response = auth_api.generic("POST", URL, b"x" * 200_000, content_type="multipart/form-data; boundary=zzz")

        assert_rejected(response, media_root, "limit")

    def test_it_requires_a_file(self, auth_api, media_root):
        response = auth_api.post(URL, {"alt_text": "no file"}, format="multipart")

        assert_rejected(response, media_root)

    def test_it_rejects_alt_text_over_2000_characters(self, auth_api, media_root):
        response = upload(auth_api, "a.png", image_bytes("PNG"), alt_text="x" * 2001)

        assert response.status_code == 400
        assert "alt_text" in response.json()["error"]["fields"]
        assert MediaFile.objects.count() == 0
        assert stored_files(media_root) == []


@pytest.mark.django_db
class TestVideoUpload:
    def test_it_stores_an_mp4_with_dimensions_and_duration(self, auth_api, media_root, videos):
        response = upload(auth_api, "clip.mp4", videos["clip.mp4"], "video/mp4")

        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["media_type"], body["mime_type"]) == ("video", "video/mp4")
        assert (body["width"], body["height"]) == (160, 120)
        assert body["duration"] == pytest.approx(2.0, abs=0.1)
        assert MediaFile.objects.get().file.name.endswith(".mp4")
        assert len(stored_files(media_root)) == 1

    @pytest.mark.parametrize("name, mime, extension", [("clip.mov", "video/quicktime", ".mov"), ("clip.webm", "video/webm", ".webm")])
    def test_it_recognises_mov_and_webm_whatever_they_are_called(self, auth_api, media_root, videos, name, mime, extension):
        response = upload(auth_api, "video.bin", videos[name], "application/octet-stream")

        assert response.status_code == 201, response.content
        assert (response.json()["media_type"], response.json()["mime_type"]) == ("video", mime)
        assert MediaFile.objects.get().file.name.endswith(extension)

    def test_it_reports_a_portrait_video_in_its_displayed_orientation(self, auth_api, media_root, videos):
        response = upload(auth_api, "portrait.mp4", videos["portrait.mp4"], "video/mp4")

        assert response.status_code == 201, response.content
        assert (response.json()["width"], response.json()["height"]) == (120, 160)

    def test_it_stores_a_video_that_arrives_as_a_temporary_file(self, auth_api, media_root, videos, settings):
        settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # force Django to spool the upload to disk
        response = upload(auth_api, "clip.mp4", videos["clip.mp4"], "video/mp4")

        assert response.status_code == 201, response.content
        assert response.json()["duration"] == pytest.approx(2.0, abs=0.1)

    @pytest.mark.parametrize("name", ["tone.mp3", "tone.m4a"])
    def test_it_rejects_audio_without_a_video_stream(self, auth_api, media_root, videos, name):
        response = upload(auth_api, "song.mp4", videos[name], "video/mp4")

        assert_rejected(response, media_root, "unsupported file type")

    def test_it_rejects_matroska_that_is_not_webm(self, auth_api, media_root, videos):
        response = upload(auth_api, "clip.webm", videos["clip.mkv"], "video/webm")

        assert_rejected(response, media_root, "webm")

    def test_it_rejects_a_playlist_posing_as_a_video(self, auth_api, media_root, videos, tmp_path):
        local = tmp_path / "local.mp4"
        local.write_bytes(videos["clip.mp4"])
        playlist = f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nfile://{local}\n#EXT-X-ENDLIST\n".encode()

        response = upload(auth_api, "clip.mp4", playlist, "video/mp4")

        assert_rejected(response, media_root, "unsupported file type")


@pytest.mark.django_db
class TestUploadRoles:
    def test_it_forbids_a_viewer_to_upload(self, auth_api, user, media_root):
        shared = WorkspaceFactory()
        MembershipFactory(user=user, workspace=shared, role=Membership.Role.VIEWER)

        response = auth_api.post(
            URL, {"file": SimpleUploadedFile("a.png", image_bytes("PNG"))}, format="multipart", HTTP_X_WORKSPACE=str(shared.pk)
        )

        assert response.status_code == 403
        assert MediaFile.objects.count() == 0

    def test_it_lets_an_editor_upload_into_a_shared_workspace(self, auth_api, user, media_root):
        shared = WorkspaceFactory()
        MembershipFactory(user=user, workspace=shared, role=Membership.Role.EDITOR)

        response = auth_api.post(
            URL, {"file": SimpleUploadedFile("a.png", image_bytes("PNG"))}, format="multipart", HTTP_X_WORKSPACE=str(shared.pk)
        )

        assert response.status_code == 201
        assert MediaFile.objects.get().workspace == shared

    def test_it_requires_authentication(self, api, media_root):
        response = api.post(URL, {"file": SimpleUploadedFile("a.png", image_bytes("PNG"))}, format="multipart")

        assert response.status_code == 401
