"""Media library: store an upload only once its content is known to be an image or video we accept,
stripped of personal metadata, deduplicated by SHA-256 within the workspace; delete media together with
its stored files; remove stored files no row refers to."""

import hashlib
import io
import logging
import os
import shutil
import tempfile
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from config.exceptions import Conflict
from social_media.models import PostMedia, Status

from . import content_limits, images, video
from .ffmpeg_tools import ToolFailed
from .models import MediaFile, MediaTag
from .sniffing import UnsupportedMedia, sniff
from .storage import delete_quietly, local_path, save_path, temp_path

logger = logging.getLogger(__name__)

# A post whose media may still be removed: nothing of it is on its way to a network.
DETACHABLE_POST_STATUSES = {Status.DRAFT, Status.CANCELLED}
HASH_CHUNK = 1024 * 1024


class MediaRejected(ValidationError):
    """The upload is not acceptable; reported as a field error on `file`."""

    def __init__(self, message):
        super().__init__({"file": [message]})


def _human_size(size):
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024


def type_limit(media_type):
    return {
        "image": settings.MEDIA_MAX_IMAGE_BYTES, "gif": settings.MEDIA_MAX_GIF_BYTES, "video": settings.MEDIA_MAX_VIDEO_BYTES,
    }[media_type]


def check_upload_size(size, media_type=None):
    limit = type_limit(media_type) if media_type else settings.MEDIA_MAX_UPLOAD_BYTES
    if not size:
        raise MediaRejected("The submitted file is empty.")
    if size > limit:
        raise MediaRejected(too_large_message(media_type))


def too_large_message(media_type=None):
    limit = type_limit(media_type) if media_type else settings.MEDIA_MAX_UPLOAD_BYTES
    kind = {"image": "images", "gif": "GIFs", "video": "videos"}.get(media_type, "uploads")
    return f"The file is larger than the {_human_size(limit)} limit for {kind}."


@contextmanager
def _local_path(uploaded_file):
    """A path on local disk holding the upload's bytes (ffprobe reads files, not streams)."""
    if hasattr(uploaded_file, "temporary_file_path"):
        yield uploaded_file.temporary_file_path()
        return
    uploaded_file.seek(0)
    with tempfile.NamedTemporaryFile(prefix="upload-", suffix=".bin") as tmp:
        shutil.copyfileobj(uploaded_file, tmp)
        tmp.flush()
        uploaded_file.seek(0)
        yield tmp.name


def _original_name(name):
    return os.path.basename((name or "").replace("\\", "/"))[:255] or "upload"


def sha256_of(fileobj):
    fileobj.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: fileobj.read(HASH_CHUNK), b""):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


def media_tags(workspace, names):
    """MediaTag rows of the workspace for `names`, created where missing."""
    return [MediaTag.objects.get_or_create(workspace=workspace, name=name)[0] for name in names]


def media_update(*, media, changes):
    """Edit a file's alt text, folder and tags: the keys of `changes` that are there (validated by
    the caller: the folder is of the media's workspace, the tag names are clean)."""
    fields = [name for name in ("alt_text", "folder") if name in changes]
    with transaction.atomic():
        for name in fields:
            setattr(media, name, changes[name])
        if fields:
            media.save(update_fields=fields)
        if "tags" in changes:
            media.tags.set(media_tags(media.workspace, changes["tags"]))
    return media


def media_upload(*, workspace, uploaded_by, uploaded_file, alt_text="", folder=None, tags=()):
    """Sniff `uploaded_file` (a Django UploadedFile) and store it, metadata stripped, as a MediaFile of
    `workspace` in status `processing`; the media queue then makes its thumbnail and marks it ready.
    `tags` are tag names, created with the file (a refused file creates none).

    The same bytes uploaded again to the workspace return the existing MediaFile (second value False),
    with the alt text given now, when there is one: the person just described the image, and that
    description is what gets published (`_reused`).
    Raises MediaRejected when it is empty, too large, or not an accepted image or video; nothing is
    stored then. The stored name gets the extension of the detected type, never the client's.
    Storage is not transactional: call this outside any transaction that might still roll back."""
    check_upload_size(uploaded_file.size)
    digest = sha256_of(uploaded_file)
    duplicate = MediaFile.objects.filter(workspace=workspace, sha256=digest).first()
    if duplicate is not None:
        return _reused(duplicate, alt_text), False
    with _local_path(uploaded_file) as path:
        try:
            sniffed = sniff(uploaded_file, path)
        except UnsupportedMedia as exc:
            raise MediaRejected(exc.message) from None
        check_upload_size(uploaded_file.size, sniffed.media_type)
        try:
            problem = content_limits.upload_problem(sniffed, uploaded_file)
        except (OSError, ValueError, SyntaxError, EOFError):
            raise MediaRejected("The image is corrupt or truncated.") from None
        if problem:
            raise MediaRejected(problem)
        media = MediaFile(
            workspace=workspace,
            uploaded_by=uploaded_by,
            media_type=sniffed.media_type,
            mime_type=sniffed.mime_type,
            original_filename=_original_name(uploaded_file.name),
            width=sniffed.width,
            height=sniffed.height,
            duration=sniffed.duration,
            alt_text=alt_text,
            sha256=digest,
            folder=folder,
            video_info=sniffed.video_info,
            processed_with=sniffed.video_info.get("tool", "") if sniffed.video_info else "",
        )
        try:
            if sniffed.media_type == "video":
                _store_stripped_video(media, path, sniffed)
            else:
                _store_stripped_image(media, uploaded_file, sniffed)
        except ToolFailed as exc:
            delete_quietly(media.file.storage, media.file.name)
            raise MediaRejected(f"The video could not be read: {exc.message}") from None
    try:
        with transaction.atomic():
            media.save()
            if tags:
                media.tags.set(media_tags(workspace, tags))
    except IntegrityError:
        # The same file was uploaded concurrently: keep the first, drop ours.
        delete_quietly(media.file.storage, media.file.name)
        existing = MediaFile.objects.filter(workspace=workspace, sha256=digest).first()
        if existing is None:
            raise
        return _reused(existing, alt_text), False
    except BaseException:
        delete_quietly(media.file.storage, media.file.name)
        raise
    from .tasks import process_media

    transaction.on_commit(lambda: process_media.delay(media.pk))
    logger.info("media %s stored for workspace %s (%s, %d bytes)", media.pk, workspace.pk, media.mime_type, media.file_size)
    return media, True


def _reused(media, alt_text):
    """The library's file for bytes uploaded again. A non-blank `alt_text` replaces its alt text (and so
    the one every post using the file publishes from now on; already published posts keep theirs);
    an upload without alt text keeps the file's."""
    alt_text = (alt_text or "").strip()
    if alt_text and alt_text != media.alt_text:
        media_update(media=media, changes={"alt_text": alt_text})
    return media


def _store_stripped_image(media, uploaded_file, sniffed):
    try:
        encoded = images.strip_metadata(uploaded_file)
    except (OSError, ValueError, SyntaxError, EOFError):
        raise MediaRejected("The image is corrupt or truncated.") from None
    media.width, media.height = encoded.width, encoded.height
    media.file_size = len(encoded.data)
    media.file.save(f"upload.{sniffed.extension}", ContentFile(encoded.data), save=False)


def _store_stripped_video(media, path, sniffed):
    with temp_path(f".{sniffed.extension}") as stripped:
        video.strip_metadata(path, stripped, max_bytes=settings.MEDIA_MAX_VIDEO_BYTES + 1024 * 1024, mp4_family=sniffed.extension != "webm")
        media.file_size = os.path.getsize(stripped)
        save_path(media.file, f"upload.{sniffed.extension}", stripped)


def media_process(*, media_id):
    """The media queue's work on a new upload: thumbnail (poster frame for video), animation facts,
    then status ready; failed with the reason when the file cannot be processed."""
    media = MediaFile.objects.filter(pk=media_id).first()
    if media is None or media.status != MediaFile.ProcessingStatus.PROCESSING:
        return media
    try:
        updates = _thumbnail_and_facts(media)
    except (ToolFailed, OSError, ValueError, SyntaxError) as exc:
        message = getattr(exc, "message", None) or f"{exc.__class__.__name__}: {exc}"
        MediaFile.objects.filter(pk=media.pk).update(status=MediaFile.ProcessingStatus.FAILED, status_reason=message[:500])
        logger.warning("media %s failed processing: %s", media.pk, message)
        media.refresh_from_db()
        return media
    for name, value in updates.items():
        setattr(media, name, value)
    media.status, media.status_reason = MediaFile.ProcessingStatus.READY, ""
    media.save(update_fields=[*updates, "status", "status_reason"])
    return media


def _thumbnail_and_facts(media):
    updates = {}
    if media.media_type == "video":
        with local_path(media.file.storage, media.file.name) as src, temp_path(".jpg") as poster:
            video.poster(src, poster, at_seconds=min(1.0, (media.duration or 0) / 2))
            with open(poster, "rb") as handle:
                data = images.thumbnail(io.BytesIO(handle.read()))
    else:
        with media.file.storage.open(media.file.name, "rb") as handle:
            source = io.BytesIO(handle.read())
        data = images.thumbnail(source)
        if media.media_type == "gif":
            with images.open_image(source) as image:
                frames = getattr(image, "n_frames", 1)
                total = 0
                for index in range(frames):
                    image.seek(index)
                    total += image.info.get("duration", 100) or 100
            updates["video_info"] = {"frames": frames, "duration_ms": total}
            updates["duration"] = round(total / 1000, 3) if frames > 1 else None
    media.thumbnail.save("thumb.jpg", ContentFile(data), save=False)
    updates["thumbnail"] = media.thumbnail.name
    return updates


@transaction.atomic
def media_delete(*, media):
    """Delete `media`, its renditions and thumbnail. Raises Conflict while a post that is neither
    draft nor cancelled uses it; links from draft and cancelled posts are removed with it."""
    media = MediaFile.objects.select_for_update().get(pk=media.pk)
    links = PostMedia.objects.filter(media=media).select_related("post")
    busy = sorted({link.post_id for link in links if link.post.status not in DETACHABLE_POST_STATUSES})
    if busy:
        raise Conflict(
            f"This media is attached to post{'s' if len(busy) > 1 else ''} {', '.join(map(str, busy))}, "
            "which is scheduled or published; cancel the post or remove the media from it first."
        )
    links.delete()
    storage = media.file.storage
    names = [media.file.name, media.thumbnail.name, *media.renditions.values_list("file", flat=True)]
    media.delete()
    transaction.on_commit(lambda: [delete_quietly(storage, name) for name in names if name])



def media_set_alt_text(*, media, alt_text):
    """Change a file's alt text (what screen readers say; sent to networks with the image)."""
    media.alt_text = (alt_text or "").strip()
    media.full_clean(exclude=[f.name for f in MediaFile._meta.fields if f.name != "alt_text"])
    media.save(update_fields=["alt_text"])
    return media
