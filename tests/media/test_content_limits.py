"""Frame, pixel and length limits: what the library accepts at all (settings MEDIA_MAX_*; a 10,000-frame
GIF and an 8000x8000 video are refused at upload with a field error), what each network takes as a
GIF (X: 350 frames, else converted to video), and files stored before the limits refused at scheduling."""

import io
import subprocess
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.exceptions import ValidationError

from media.models import MediaFile
from media.renditions import GIF_TO_VIDEO, ORIGINAL, plan
from media.specs import NETWORK_SPECS
from social_media.models import PostMedia
from social_media.services.posts import post_schedule
from tests.factories import ConnectedAccountFactory, MediaFileFactory, PostFactory, PostTargetFactory

URL = "/api/v1/media/upload/"


def animated_gif(frames, size=(8, 8)):
    images = [Image.new("P", size, n % 2) for n in range(frames)]
    for image in images:
        image.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    buf = io.BytesIO()
    images[0].save(buf, "GIF", save_all=True, append_images=images[1:], duration=40, loop=0, optimize=False, disposal=1)
    return buf.getvalue()


def video(tmp_path, size, seconds=0.4):
    path = tmp_path / f"clip-{size}.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"color=c=blue:size={size}:duration={seconds}:rate=5",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)], check=True)
    return path.read_bytes()


def upload(api, name, data):
    return api.post(URL, {"file": SimpleUploadedFile(name, data)}, format="multipart")


def file_error(response):
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    [message] = error["fields"]["file"]
    return message


@pytest.mark.django_db
class TestAtUpload:
    def test_a_10000_frame_gif_is_refused_before_it_is_decoded(self, auth_api, media_root):
        data = animated_gif(10_000)
        with Image.open(io.BytesIO(data)) as image:
            assert image.n_frames == 10_000

        message = file_error(upload(auth_api, "long.gif", data))

        assert message == "This GIF has 10,000 frames; at most 1,000 are accepted. Shorten it, or upload it as a video."
        assert MediaFile.objects.count() == 0

    def test_a_gif_with_too_many_pixels_in_all_its_frames_is_refused(self, auth_api, media_root, settings):
        settings.MEDIA_MAX_GIF_TOTAL_PIXELS = 100 * 100 * 10
        message = file_error(upload(auth_api, "big.gif", animated_gif(11, size=(100, 100))))
        assert message.startswith("This GIF has 11 frames of 100x100 pixels (0.1 megapixels in all)")

    def test_a_gif_within_the_limits_is_stored(self, auth_api, media_root):
        assert upload(auth_api, "ok.gif", animated_gif(1000)).status_code == 201

    def test_an_8000x8000_video_is_refused(self, auth_api, media_root, tmp_path):
        message = file_error(upload(auth_api, "huge.mp4", video(tmp_path, "8000x8000")))

        assert message.startswith("This video is 8000x8000 pixels (64.0 megapixels); at most 9.4 megapixels a frame are accepted")
        assert MediaFile.objects.count() == 0

    def test_a_4k_video_is_stored(self, auth_api, media_root, tmp_path):
        assert upload(auth_api, "uhd.mp4", video(tmp_path, "3840x2160")).status_code == 201

    def test_a_video_longer_than_the_library_takes_is_refused(self, auth_api, media_root, tmp_path, settings):
        settings.MEDIA_MAX_VIDEO_SECONDS = 2
        message = file_error(upload(auth_api, "long.mp4", video(tmp_path, "64x48", seconds=3)))
        assert message == "This video is 0 min 03 s long; at most 0 min 02 s are accepted. Trim it and upload the shorter version."


def gif_media(workspace, frames, size=(8, 8), file_size=10_000):
    return MediaFileFactory(workspace=workspace, media_type="gif", mime_type="image/gif", width=size[0], height=size[1],
                            file_size=file_size, video_info={"frames": frames, "duration_ms": frames * 40})


@pytest.mark.django_db
class TestPerNetwork:
    def test_x_takes_a_gif_of_350_frames_and_converts_a_longer_one_to_video(self, workspace):
        x = NETWORK_SPECS["x"]
        assert plan(gif_media(workspace, 350), x).action == ORIGINAL
        longer = plan(gif_media(workspace, 351), x)
        assert longer.action == GIF_TO_VIDEO and longer.reasons == ["X takes animated GIFs up to 350 frames"]
        wide = plan(gif_media(workspace, 10, size=(1281, 1080)), x)
        assert wide.action == GIF_TO_VIDEO and "megapixels a frame" in wide.reasons[0]
        heavy = plan(gif_media(workspace, 300, size=(1280, 1000)), x)  # 384 million pixels in all
        assert heavy.action == GIF_TO_VIDEO and "300 million pixels in all frames" in heavy.reasons[0]

    def test_a_network_without_frame_limits_takes_the_gif_as_it_is(self, workspace):
        assert plan(gif_media(workspace, 900), NETWORK_SPECS["reddit"]).action == ORIGINAL


@pytest.mark.django_db
class TestAtScheduling:
    """Files stored before the limits existed are refused when scheduled, next to the target."""

    @pytest.mark.parametrize(("kind", "fields", "expected"), [
        ("video", {"width": 8000, "height": 8000, "duration": 2.0, "video_info": {"video": {"codec": "h264"}}}, "This video is 8000x8000 pixels"),
        ("gif", {"width": 8, "height": 8, "video_info": {"frames": 10_000}}, "This GIF has 10,000 frames"),
    ])
    def test_a_stored_file_past_the_library_limits_is_a_target_error(self, workspace, kind, fields, expected):
        account = ConnectedAccountFactory(platform="mastodon", workspace=workspace)
        mime = {"video": "video/mp4", "gif": "image/gif"}[kind]
        media = MediaFileFactory(workspace=workspace, media_type=kind, mime_type=mime, file_size=10_000, **fields)
        post = PostFactory(workspace=workspace, content="Old upload")
        PostMedia.objects.create(post=post, media=media, order=0)
        PostTargetFactory(post=post, account=account)

        with pytest.raises(ValidationError) as caught:
            post_schedule(post=post, at=timezone.now() + timedelta(hours=1))

        [message] = caught.value.detail["targets"][str(account.pk)]
        assert message.startswith(expected)
