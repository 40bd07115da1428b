"""Video processing with the system ffmpeg/ffprobe and with PyPI's imageio-ffmpeg alone (no ffprobe:
probing parses `ffmpeg -i`); every call is bounded in time and output."""

import sys

import pytest

from media import ffmpeg_tools
from media.ffmpeg_tools import ToolFailed, run
from media.probe import probe
from media.renditions import rendition_for
from media.specs import NETWORK_SPECS

from .conftest import make_video, stored_media

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["ffprobe", "imageio-ffmpeg"])
def video_tools(request, settings):
    settings.MEDIA_VIDEO_TOOLS = "system" if request.param == "ffprobe" else "imageio-ffmpeg"
    return request.param


def test_both_toolsets_probe_a_phone_video_alike(video_tools, tmp_path):
    clip = make_video(tmp_path / "phone.mov", seconds=2, size="320x240", codec="libx265", container="mov", rotate=90)

    info = probe(clip)

    assert info["tool"] == video_tools
    assert info["major_brand"] == "qt"
    assert info["video"]["codec"] == "hevc"
    assert (info["video"]["width"], info["video"]["height"], info["video"]["rotation"]) == (320, 240, 90)
    assert info["video"]["fps"] == pytest.approx(10)
    assert info["audio"]["codec"] == "aac"
    assert info["duration"] == pytest.approx(2.0, abs=0.1)


def test_the_media_says_which_tools_processed_it_and_both_transcode(video_tools, workspace, media_root, tmp_path):
    clip = make_video(tmp_path / "phone.mov", seconds=2, size="320x240", codec="libx265", container="mov")

    media = stored_media(workspace, "IMG_0003.MOV", clip.read_bytes())
    rendition = rendition_for(media, "bluesky", NETWORK_SPECS["bluesky"])

    assert media.processed_with == video_tools
    assert media.status == "ready" and media.thumbnail
    info = probe(rendition.file.path)
    assert (info["video"]["codec"], info["audio"]["codec"]) == ("h264", "aac")


def test_a_call_that_runs_too_long_is_stopped():
    with pytest.raises(ToolFailed, match="longer than 1 seconds"):
        run([sys.executable, "-c", "import time; time.sleep(30)"], timeout=1)


def test_a_call_that_writes_too_much_is_refused():
    with pytest.raises(ToolFailed, match="far more output"):
        run([sys.executable, "-c", "print('x' * 5000)"], max_output=1000)


def test_transcodes_are_capped_in_size_by_ffmpeg_itself(tmp_path):
    from media.video import transcode_args

    args = transcode_args("in.mov", "out.mp4", {"duration": 10, "video": {"width": 640, "height": 480, "rotation": 0}}, NETWORK_SPECS["bluesky"])

    assert args[args.index("-fs") + 1] == str(NETWORK_SPECS["bluesky"].video_max_bytes)
    assert "+faststart" in args and "libx264" in args
    assert args[1:6] == ["-nostdin", "-v", "error", "-protocol_whitelist", "file"]
    assert ffmpeg_tools.tools().ffmpeg == args[0]
