"""Which ffmpeg/ffprobe to run, and running them bounded: every call has a timeout and a cap on what it
may write (stdout/stderr to files we measure; media output through ffmpeg's own `-fs`).

`MEDIA_VIDEO_TOOLS` chooses: "auto" (default) uses the system's ffmpeg and ffprobe when both are on
PATH, else PyPI's imageio-ffmpeg binary; "system" or "imageio-ffmpeg" forces one. imageio-ffmpeg has no
ffprobe, so probing then parses `ffmpeg -i` (see media.probe). MediaFile.processed_with records which."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

DEFAULT_TIMEOUT = 60


class ToolFailed(Exception):
    """ffmpeg/ffprobe failed, timed out or wrote too much; `message` is for the user."""

    def __init__(self, message, stderr=""):
        super().__init__(message)
        self.message = message
        self.stderr = stderr


@dataclass(frozen=True)
class Tools:
    ffmpeg: str
    ffprobe: str | None  # None: imageio-ffmpeg, probe by parsing `ffmpeg -i`
    name: str  # "ffprobe" (system) or "imageio-ffmpeg"


def tools() -> Tools:
    choice = getattr(settings, "MEDIA_VIDEO_TOOLS", "auto") or "auto"
    if choice != "imageio-ffmpeg":
        found = _system()
        if found is not None:
            return found
        if choice == "system":
            raise ToolFailed("ffmpeg and ffprobe are not installed on this server (MEDIA_VIDEO_TOOLS=system).")
    return _imageio()


@lru_cache(maxsize=1)
def _system() -> Tools | None:
    ffmpeg, ffprobe = shutil.which("ffmpeg"), shutil.which("ffprobe")
    return Tools(ffmpeg, ffprobe, "ffprobe") if ffmpeg and ffprobe else None


@lru_cache(maxsize=1)
def _imageio() -> Tools:
    try:
        import imageio_ffmpeg
    except ImportError:  # pragma: no cover - imageio-ffmpeg is in requirements.txt
        raise ToolFailed("No ffmpeg is installed on this server, so videos cannot be processed.") from None
    return Tools(imageio_ffmpeg.get_ffmpeg_exe(), None, "imageio-ffmpeg")


def run(args, *, timeout=None, max_output=1024 * 1024, ok_codes=(0,)) -> tuple[str, str]:
    """Run `args` (no shell, no stdin) and return (stdout, stderr) as text.

    Raises ToolFailed on timeout, on a return code outside `ok_codes`, or when stdout/stderr grew past
    `max_output` bytes (each is written to a temporary file, so a hostile file cannot fill memory)."""
    timeout = timeout or getattr(settings, "MEDIA_FFMPEG_TIMEOUT_SECONDS", DEFAULT_TIMEOUT)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            raise ToolFailed(f"Processing the file took longer than {timeout} seconds.") from None
        texts = []
        for handle in (out, err):
            size = handle.seek(0, os.SEEK_END)
            if size > max_output:
                raise ToolFailed("Processing the file produced far more output than any valid file does.")
            handle.seek(0)
            texts.append(handle.read().decode("utf-8", "replace"))
    if code not in ok_codes:
        raise ToolFailed("The video could not be processed.", stderr=texts[1][-2000:])
    return texts[0], texts[1]


def _kill(process):
    try:
        os.killpg(process.pid, 9)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.wait()
