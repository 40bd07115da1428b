"""Per-network renditions: decide what a network needs from a MediaFile (nothing, an image re-encode, a
GIF turned into MP4, a video transcode), say clearly what no rendition can fix, and make and cache the
rendition (MediaRendition, keyed by media + spec_key) on demand.

`plan()` is cheap (no encoding) and is what schedule-time validation uses; `rendition_for()` makes the
file and is what publishing (and the media queue, ahead of time) uses."""

from __future__ import annotations

import io
import logging
import os
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from . import content_limits, image_fit, images, video
from .ffmpeg_tools import ToolFailed
from .models import MediaFile, MediaRendition
from .probe import displayed_size, probe
from .specs import MP4, NetworkSpec, spec_key
from .storage import delete_quietly, local_path, save_path, temp_path

logger = logging.getLogger(__name__)

ORIGINAL, IMAGE, GIF_TO_VIDEO, TRANSCODE = "original", "image", "gif_to_video", "transcode"


class RenditionFailed(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Plan:
    action: str  # original | image | gif_to_video | transcode
    problems: list[str] = field(default_factory=list)  # what no rendition can fix, for the user
    media_type: str = ""
    mime_type: str = ""
    reasons: list[str] = field(default_factory=list)  # why a rendition is needed


def _duration_text(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 120:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def _size_text(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{size:,} bytes"


def is_animated(media: MediaFile) -> bool:
    return media.media_type == MediaFile.MediaType.GIF and (media.video_info or {}).get("frames", 1) > 1


def plan(media: MediaFile, spec: NetworkSpec) -> Plan:
    if problem := content_limits.stored_problem(media):  # stored before the library's limits
        return Plan(ORIGINAL, problems=[problem])
    if media.media_type == MediaFile.MediaType.VIDEO:
        return _plan_video(media, spec)
    if media.media_type == MediaFile.MediaType.GIF and is_animated(media):
        too_big = _gif_over(media, spec)
        if spec.takes_gif and not too_big:
            return Plan(ORIGINAL, media_type="gif", mime_type=media.mime_type)
        if spec.takes_video:
            reasons = [f"{spec.label} takes animated GIFs up to {too_big}"] if spec.takes_gif else [f"{spec.label} takes no animated GIFs"]
            return Plan(GIF_TO_VIDEO, media_type="video", mime_type=MP4, reasons=reasons)
        return Plan(ORIGINAL, problems=[f"{spec.label} takes neither animated GIFs nor videos; use a still image."])
    if image_fit.fits(spec, media.mime_type, media.file_size, media.width or 1, media.height or 1):
        return Plan(ORIGINAL, media_type="image", mime_type=media.mime_type)
    return Plan(IMAGE, media_type="image", mime_type="", reasons=["re-encoded to fit"])


def _gif_over(media: MediaFile, spec: NetworkSpec) -> str:
    """The network's GIF limit this animation passes, as words ("350 frames"), else ""."""
    frames, width, height = (media.video_info or {}).get("frames", 1), media.width or 0, media.height or 0
    if spec.gif_max_bytes is not None and media.file_size > spec.gif_max_bytes:
        return _size_text(spec.gif_max_bytes)
    if spec.gif_max_frames and frames > spec.gif_max_frames:
        return f"{spec.gif_max_frames} frames"
    if spec.gif_max_pixels and width * height > spec.gif_max_pixels:
        return f"{spec.gif_max_pixels / 1_000_000:.1f} megapixels a frame"
    if spec.gif_max_total_pixels and frames * width * height > spec.gif_max_total_pixels:
        return f"{spec.gif_max_total_pixels / 1_000_000:.0f} million pixels in all frames"
    return ""


def _plan_video(media: MediaFile, spec: NetworkSpec) -> Plan:
    if not spec.takes_video:
        return Plan(ORIGINAL, problems=[f"{spec.label} does not take videos here; remove the video or the target."])
    duration = media.duration or 0
    problems = []
    if spec.video_max_seconds and duration > spec.video_max_seconds:
        problems.append(
            f"This video is {_duration_text(duration)}; {spec.label} takes {_duration_text(spec.video_max_seconds)} at most. "
            "Trim it and upload the shorter version."
        )
    if spec.video_min_seconds and duration < spec.video_min_seconds:
        problems.append(f"This video is {duration:.1f} s; {spec.label} needs at least {spec.video_min_seconds:g} s.")
    if problems:
        return Plan(ORIGINAL, problems=problems)
    info = media.video_info or {}
    stream = info.get("video") or {}
    audio = info.get("audio") or None
    reasons = []
    if media.mime_type not in spec.video_types:
        reasons.append(f"container {media.mime_type}")
    if stream.get("codec") not in spec.video_codecs:
        reasons.append(f"video codec {stream.get('codec') or 'unknown'}")
    if audio and audio.get("codec") not in spec.audio_codecs:
        reasons.append(f"audio codec {audio.get('codec')}")
    if spec.video_max_bytes and media.file_size > spec.video_max_bytes:
        reasons.append(f"size {_size_text(media.file_size)}")
    width, height = media.width or 0, media.height or 0
    if (spec.video_max_side and max(width, height) > spec.video_max_side) or (spec.video_max_pixels and width * height > spec.video_max_pixels):
        reasons.append(f"{width}x{height} pixels")
    if spec.video_max_fps and (stream.get("fps") or 0) > spec.video_max_fps + 0.5:
        reasons.append(f"{stream.get('fps'):g} fps")
    if reasons:
        return Plan(TRANSCODE, media_type="video", mime_type=MP4, reasons=reasons)
    return Plan(ORIGINAL, media_type="video", mime_type=media.mime_type)


def existing(media: MediaFile, key: str, *, verify_stored: bool = False) -> MediaRendition | None:
    """The cached rendition for `key`; with `verify_stored`, None (and the row gone) when its stored
    file was deleted, so that it is made again."""
    found = MediaRendition.objects.filter(media=media, spec_key=key).first()
    if found is not None and verify_stored and not found.file.storage.exists(found.file.name):
        logger.warning("rendition %s of media %s: its stored file is gone; making it again", key, media.pk)
        found.delete()
        return None
    return found


def rendition_for(media: MediaFile, platform: str, spec: NetworkSpec, *, fit: str = "pad", verify_stored: bool = True) -> MediaRendition | None:
    """The network's rendition of `media` (made now if not cached), or None when the original fits.
    A cached rendition whose stored file is gone is made again (`verify_stored`: one storage lookup;
    the composer's live check skips it). Raises RenditionFailed with a user-facing message when it
    cannot be made."""
    chosen = plan(media, spec)
    if chosen.problems:
        raise RenditionFailed(" ".join(chosen.problems))
    if chosen.action == ORIGINAL:
        return None
    key = spec_key(platform, spec, fit)
    found = existing(media, key, verify_stored=verify_stored)
    if found is not None:
        return found
    rendition = MediaRendition(media=media, spec_key=key)
    try:
        if chosen.action == IMAGE:
            _make_image(media, rendition, spec, fit)
        else:
            _make_video(media, rendition, spec, from_gif=chosen.action == GIF_TO_VIDEO)
    except ToolFailed as exc:
        raise RenditionFailed(f"The {media.media_type} could not be converted for {spec.label}: {exc.message}") from None
    except FileNotFoundError:  # the original's bytes are gone from storage
        raise RenditionFailed(f"The {media.media_type}'s stored file is missing. Remove it and upload it again.") from None
    rendition.details["reasons"] = chosen.reasons
    try:
        with transaction.atomic():
            rendition.save()
    except IntegrityError:  # another worker made the same rendition meanwhile: use theirs
        delete_quietly(rendition.file.storage, rendition.file.name)
        return existing(media, key)
    logger.info("rendition %s of media %s: %s, %d bytes", key, media.pk, rendition.mime_type, rendition.file_size)
    return rendition


def _make_image(media, rendition, spec, fit):
    with media.file.storage.open(media.file.name, "rb") as handle:
        source = io.BytesIO(handle.read())
    encoded = image_fit.render_image(source, spec, fit=fit)
    rendition.file.save(f"r.{images.EXTENSION[encoded.mime_type]}", ContentFile(encoded.data), save=False)
    rendition.media_type = "image"
    rendition.mime_type = encoded.mime_type
    rendition.file_size = len(encoded.data)
    rendition.width, rendition.height = encoded.width, encoded.height
    rendition.details = dict(encoded.details)


def _make_video(media, rendition, spec, *, from_gif):
    with local_path(media.file.storage, media.file.name) as src, temp_path(".mp4") as dst:
        info = media.video_info if not from_gif else {"duration": media.duration, "video": {"width": media.width, "height": media.height, "rotation": 0, "fps": None}}
        video.transcode(src, dst, info, spec, from_gif=from_gif)
        result = probe(dst)
        if result is None:
            raise RenditionFailed(f"The converted video for {spec.label} could not be read back.")
        size = os.path.getsize(dst)
        expected = (info.get("duration") or 0) * 0.95
        if (spec.video_max_bytes and size >= spec.video_max_bytes) or (result.get("duration") or 0) < expected - 0.2:
            raise RenditionFailed(f"The video could not be made smaller than {_size_text(spec.video_max_bytes)} for {spec.label}; trim it.")
        save_path(rendition.file, "r.mp4", dst)
    rendition.media_type = "video"
    rendition.mime_type = MP4
    rendition.file_size = size
    rendition.width, rendition.height = displayed_size(result)
    rendition.duration = result.get("duration")
    rendition.details = {"transcoded": True, "from_gif": from_gif, "video_codec": result["video"]["codec"]}


def premake_image_renditions(media: MediaFile) -> list[MediaRendition]:
    """Make, ahead of any post, the image renditions that the networks of the workspace's active
    accounts will need (one per network spec, default fit): a 13 MB photo's Bluesky rendition takes
    seconds, and would otherwise be made while the person scheduling waits. Videos are left to
    scheduling (a transcode is minutes of CPU, for networks that may never be used). A rendition
    that cannot be made is left for scheduling to report."""
    from social_media.models import ConnectedAccount

    from .specs import NETWORK_SPECS, spec_for

    if media.status != MediaFile.ProcessingStatus.READY or media.media_type != "image":
        return []
    made, seen = [], set()
    for account in ConnectedAccount.objects.filter(workspace_id=media.workspace_id, is_active=True).only("platform", "platform_settings"):
        if account.platform not in NETWORK_SPECS:
            continue
        spec = spec_for(account)
        key = spec_key(account.platform, spec)
        if key in seen or plan(media, spec).action != IMAGE:
            continue
        seen.add(key)
        try:
            made.append(rendition_for(media, account.platform, spec))
        except RenditionFailed as exc:
            logger.info("rendition %s of media %s not made ahead: %s", key, media.pk, exc.message)
    return made
