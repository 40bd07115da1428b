"""Probe a video: container, duration, video codec, size, frame rate, rotation, audio codec.

With ffprobe: its JSON. Without (imageio-ffmpeg only): the stream lines `ffmpeg -i` prints, which carry
the same facts. Both are restricted to the mp4/mov and Matroska/WebM demuxers and to local files, so a
playlist disguised as a video cannot make ffmpeg open other files or URLs."""

from __future__ import annotations

import json
import re

from .ffmpeg_tools import ToolFailed, run, tools

VIDEO_DEMUXERS = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm"
PROBE_TIMEOUT = 30


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _fraction(value):
    if not value or value in ("0/0",):
        return None
    if "/" in str(value):
        num, _, den = str(value).partition("/")
        return round(float(num) / float(den), 3) if float(den) else None
    return _float(value)


def probe(path) -> dict | None:
    """Facts of the video at `path`, or None when ffmpeg cannot read it as one of our containers:
    {format_name, major_brand, duration, size, video: {codec, width, height, fps, rotation}, audio: {codec}|None, tool}."""
    kit = tools()
    try:
        info = _ffprobe(kit.ffprobe, path) if kit.ffprobe else _ffmpeg_i(kit.ffmpeg, path)
    except ToolFailed:
        return None
    if info is not None:
        info["tool"] = kit.name
    return info


def _ffprobe(binary, path):
    out, _ = run(
        [binary, "-v", "error", "-format_whitelist", VIDEO_DEMUXERS, "-protocol_whitelist", "file",
         "-show_format", "-show_streams", "-of", "json", str(path)],
        timeout=PROBE_TIMEOUT, max_output=2 * 1024 * 1024,
    )
    data = json.loads(out or "{}")
    fmt = data.get("format") or {}
    streams = data.get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video" and (s.get("disposition") or {}).get("attached_pic") != 1), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if video is None or not video.get("width") or not video.get("height"):
        return None
    return {
        "format_name": fmt.get("format_name", ""),
        "major_brand": ((fmt.get("tags") or {}).get("major_brand") or "").strip().lower(),
        "duration": _float(fmt.get("duration")) or _float(video.get("duration")),
        "video": {
            "codec": video.get("codec_name", ""),
            "width": int(video["width"]),
            "height": int(video["height"]),
            "fps": _fraction(video.get("avg_frame_rate")) or _fraction(video.get("r_frame_rate")),
            "rotation": _rotation(video),
            "pix_fmt": video.get("pix_fmt", ""),
        },
        "audio": {"codec": audio.get("codec_name", "")} if audio else None,
    }


def _rotation(stream):
    for side_data in stream.get("side_data_list") or []:
        if "rotation" in side_data:
            return int(float(side_data["rotation"]))
    rotate = (stream.get("tags") or {}).get("rotate")
    return int(float(rotate)) if rotate else 0


_INPUT = re.compile(r"^Input #0, ([\w,]+), from", re.M)
_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_BRAND = re.compile(r"major_brand\s*:\s*(\S+)")
_VIDEO = re.compile(r"Stream #0:\d+.*?: Video: (\w+).*?, (\d{2,5})x(\d{2,5})")
_FPS = re.compile(r"([\d.]+) fps")
_AUDIO = re.compile(r"Stream #0:\d+.*?: Audio: (\w+)")
_ROTATION = re.compile(r"rotation of (-?[\d.]+) degrees|rotate\s*:\s*(-?\d+)")


def _ffmpeg_i(binary, path):
    """Parse `ffmpeg -i path` (it exits 1 because no output is given; that is expected)."""
    _, err = run(
        [binary, "-hide_banner", "-nostdin", "-format_whitelist", VIDEO_DEMUXERS, "-protocol_whitelist", "file", "-i", str(path)],
        timeout=PROBE_TIMEOUT, max_output=2 * 1024 * 1024, ok_codes=(0, 1),
    )
    fmt = _INPUT.search(err)
    video_line = next((line for line in err.splitlines() if ": Video: " in line and "attached pic" not in line), None)
    video = _VIDEO.search(video_line or "")
    if not fmt or not video:
        return None
    duration = _DURATION.search(err)
    fps = _FPS.search(video_line)
    rotation = _ROTATION.search(err)
    audio = _AUDIO.search(err)
    brand = _BRAND.search(err)
    return {
        "format_name": fmt.group(1),
        "major_brand": brand.group(1).lower() if brand else "",
        "duration": (int(duration.group(1)) * 3600 + int(duration.group(2)) * 60 + float(duration.group(3))) if duration else None,
        "video": {
            "codec": video.group(1),
            "width": int(video.group(2)),
            "height": int(video.group(3)),
            "fps": float(fps.group(1)) if fps else None,
            "rotation": int(float(rotation.group(1) or rotation.group(2))) if rotation else 0,
            "pix_fmt": "",
        },
        "audio": {"codec": audio.group(1)} if audio else None,
    }


def displayed_size(info) -> tuple[int, int]:
    width, height = info["video"]["width"], info["video"]["height"]
    return (height, width) if abs(info["video"]["rotation"]) in (90, 270) else (width, height)
