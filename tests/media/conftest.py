"""Real sample files for upload tests: images from Pillow, videos from the ffmpeg binary."""

import io
import struct
import subprocess
import zlib

import pytest
from PIL import Image


def image_bytes(fmt, size=(64, 48), **save_kwargs):
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, fmt, **save_kwargs)
    return buf.getvalue()


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_claiming_size(width, height):
    """A tiny PNG whose header declares width x height pixels (a decompression-bomb shape)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", zlib.compress(b"\0" * 16)) + _png_chunk(b"IEND", b"")


def _ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


@pytest.fixture(scope="session")
def videos(tmp_path_factory):
    """mp4/mov/webm clips of 160x120 and 2 s made by ffmpeg, plus look-alikes we must refuse."""
    root = tmp_path_factory.mktemp("videos")
    src = ["-f", "lavfi", "-i", "testsrc=duration=2:size=160x120:rate=10", "-pix_fmt", "yuv420p"]
    _ffmpeg(*src, str(root / "clip.mp4"))
    _ffmpeg(*src, "-f", "mov", str(root / "clip.mov"))
    _ffmpeg(*src, "-c:v", "libvpx-vp9", "-deadline", "realtime", str(root / "clip.webm"))
    _ffmpeg(*src, "-c:v", "libx264", str(root / "clip.mkv"))
    _ffmpeg("-i", str(root / "clip.mp4"), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(root / "portrait.mp4"))
    _ffmpeg("-f", "lavfi", "-i", "sine=duration=1", str(root / "tone.mp3"))
    _ffmpeg("-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", str(root / "tone.m4a"))
    return {path.name: path.read_bytes() for path in root.iterdir()}


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def photo_jpeg(width=1800, height=1350, quality=92):
    """A photo-like JPEG (noise and a gradient compress like a real photo): 1800x1350 at 92 is ~1.35 MB."""
    red = Image.effect_noise((width, height), 40)
    green = Image.linear_gradient("L").resize((width, height))
    blue = Image.effect_noise((width, height), 20)
    buf = io.BytesIO()
    Image.merge("RGB", (red, green, blue)).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def animated_gif(frames=4, size=(40, 30)):
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]
    images = [Image.new("RGB", size, colours[i % 4]) for i in range(frames)]
    buf = io.BytesIO()
    images[0].save(buf, "GIF", save_all=True, append_images=images[1:], duration=250, loop=0)
    return buf.getvalue()


def make_video(path, *, seconds=2, size="160x120", codec="libx264", container="mp4", rotate=None, audio=True):
    """A clip made by ffmpeg: test pattern (and a tone), in the given codec and container."""
    args = ["-f", "lavfi", "-i", f"testsrc=duration={seconds}:size={size}:rate=10"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=duration={seconds}", "-c:a", "aac", "-shortest"]
    args += ["-c:v", codec, "-pix_fmt", "yuv420p"]
    if codec == "libx265":
        args += ["-tag:v", "hvc1", "-x265-params", "log-level=error"]
    _ffmpeg(*args, "-f", container, str(path))
    if rotate is not None:
        rotated = path.with_name(f"rotated-{path.name}")
        _ffmpeg("-i", str(path), "-c", "copy", "-metadata:s:v:0", f"rotate={rotate}", "-f", container, str(rotated))
        rotated.replace(path)
    return path


def stored_media(workspace, name, data):
    """A MediaFile made by the upload service and processed as the media queue would."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from media import services

    media, _created = services.media_upload(workspace=workspace, uploaded_by=None, uploaded_file=SimpleUploadedFile(name, data))
    return services.media_process(media_id=media.pk)
