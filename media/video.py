"""Video work with ffmpeg (command lines built with ffmpeg-python, run bounded by media.ffmpeg_tools):
metadata stripping at upload, the poster frame, and H.264/AAC MP4 (+faststart) transcodes for networks
that need them."""

from __future__ import annotations

import math

import ffmpeg

from django.conf import settings

from .ffmpeg_tools import run, tools
from .probe import displayed_size
from .specs import NetworkSpec

AUDIO_BITRATE = 128_000
TRANSCODE_SIZE_MARGIN = 0.92  # aim under the byte limit: container overhead and rate-control overshoot


def _compile(stream):
    """ffmpeg-python's command line with our global options first (-protocol_whitelist must come before -i)."""
    args = ffmpeg.compile(stream, cmd=tools().ffmpeg, overwrite_output=True)
    return [args[0], "-nostdin", "-v", "error", "-protocol_whitelist", "file", *args[1:]]


def strip_metadata(src, dst, *, max_bytes, mp4_family=True):
    """Copy the streams of `src` into `dst` without global or stream metadata (phone videos carry the
    place they were shot) and without data tracks; the rotation matrix is side data and survives, so
    the video stays upright."""
    args = [
        tools().ffmpeg, "-nostdin", "-v", "error", "-protocol_whitelist", "file", "-i", str(src),
        "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy", "-map_metadata", "-1", "-map_metadata:s:v", "-1",
        "-map_metadata:s:a", "-1", "-map_chapters", "-1", "-fs", str(max_bytes),
    ]
    if mp4_family:
        args += ["-movflags", "+faststart"]
    run([*args, "-y", str(dst)], timeout=_timeout(None), max_output=256 * 1024)


def poster(src, dst, *, at_seconds=0.0):
    """A JPEG of the frame at `at_seconds` (upright), at most 1280 px wide."""
    stream = ffmpeg.input(str(src), ss=max(0.0, at_seconds)).filter("scale", "min(1280,iw)", -2)
    run(_compile(ffmpeg.output(stream, str(dst), vframes=1, **{"q:v": 3, "f": "image2"})), timeout=_timeout(None), max_output=256 * 1024)


def _scale_filter(info, spec: NetworkSpec):
    """(width, height) to scale to so the longest side and pixel count meet the spec; None if they do."""
    width, height = displayed_size(info)
    scale = 1.0
    if spec.video_max_side and max(width, height) > spec.video_max_side:
        scale = spec.video_max_side / max(width, height)
    if spec.video_max_pixels and width * height * scale * scale > spec.video_max_pixels:
        scale = min(scale, math.sqrt(spec.video_max_pixels / (width * height)))
    if scale >= 1.0:
        return None
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def transcode_args(src, dst, info, spec: NetworkSpec, *, from_gif=False):
    """The ffmpeg command line that makes `src` an H.264/AAC MP4 with +faststart within `spec`."""
    duration = info.get("duration") or 0
    source = ffmpeg.input(str(src))
    video = source.video
    size = _scale_filter(info, spec)
    if size:
        video = video.filter("scale", size[0], size[1])
    fps = (info.get("video") or {}).get("fps")
    if spec.video_max_fps and fps and fps > spec.video_max_fps:
        video = video.filter("fps", spec.video_max_fps)
    if from_gif:  # H.264 needs even sides
        video = video.filter("scale", "trunc(iw/2)*2", "trunc(ih/2)*2")
    options = {"vcodec": "libx264", "preset": "veryfast", "pix_fmt": "yuv420p", "movflags": "+faststart",
               "map_metadata": "-1", "profile:v": "high"}
    if spec.video_max_bytes:
        options["fs"] = str(spec.video_max_bytes)
    if spec.video_max_bytes and duration:
        budget = spec.video_max_bytes * 8 * TRANSCODE_SIZE_MARGIN / duration - AUDIO_BITRATE
        if budget < 8 * 1024 * 1024:  # only cap the rate where the limit could be reached at CRF quality
            options.update(**{"b:v": str(max(int(budget), 100_000)), "maxrate": str(max(int(budget), 100_000)), "bufsize": str(max(int(budget) * 2, 200_000))})
        else:
            options["crf"] = 23
    else:
        options["crf"] = 23
    streams = [video]
    if info.get("audio") and not from_gif:
        streams.append(source.audio)
        options.update(acodec="aac", **{"b:a": str(AUDIO_BITRATE)})
    return _compile(ffmpeg.output(*streams, str(dst), **options))


def transcode(src, dst, info, spec: NetworkSpec, *, from_gif=False):
    run(transcode_args(src, dst, info, spec, from_gif=from_gif), timeout=_timeout(info.get("duration")), max_output=1024 * 1024)


def _timeout(duration):
    """Generous for the machine: a base plus several times real time."""
    base = getattr(settings, "MEDIA_FFMPEG_TIMEOUT_SECONDS", 60)
    return int(base + 4 * (duration or 0))
