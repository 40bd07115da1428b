"""Media library: store an upload only once its content is known to be an image or video we accept,
and delete media together with its stored file."""

import logging
import os
import shutil
import tempfile
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from config.exceptions import Conflict
from social_media.models import PostMedia, Status

from .models import MediaFile
from .sniffing import UnsupportedMedia, sniff

logger = logging.getLogger(__name__)

# A post whose media may still be removed: nothing of it is on its way to a network.
DETACHABLE_POST_STATUSES = {Status.DRAFT, Status.CANCELLED}


class MediaRejected(ValidationError):
    """The upload is not acceptable; reported as a field error on `file`."""

    def __init__(self, message):
        super().__init__({"file": [message]})


def _human_size(size):
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024


def check_upload_size(size):
    limit = settings.MEDIA_MAX_UPLOAD_BYTES
    if not size:
        raise MediaRejected("The submitted file is empty.")
    if size > limit:
        raise MediaRejected(f"The file is larger than the {_human_size(limit)} limit.")


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


def media_upload(*, workspace, uploaded_by, uploaded_file, alt_text=""):
    """Sniff `uploaded_file` (a Django UploadedFile) and store it as a MediaFile of `workspace`.

    Raises MediaRejected when it is empty, too large, or not an accepted image or video; nothing is
    stored then. The stored name gets the extension of the detected type, never the client's.
    Storage is not transactional: call this outside any transaction that might still roll back."""
    check_upload_size(uploaded_file.size)
    with _local_path(uploaded_file) as path:
        try:
            sniffed = sniff(uploaded_file, path)
        except UnsupportedMedia as exc:
            raise MediaRejected(exc.message) from None
    media = MediaFile(
        workspace=workspace,
        uploaded_by=uploaded_by,
        media_type=sniffed.media_type,
        mime_type=sniffed.mime_type,
        original_filename=_original_name(uploaded_file.name),
        file_size=uploaded_file.size,
        width=sniffed.width,
        height=sniffed.height,
        duration=sniffed.duration,
        alt_text=alt_text,
    )
    uploaded_file.seek(0)
    media.file.save(f"upload.{sniffed.extension}", File(uploaded_file), save=False)
    try:
        media.save()
    except BaseException:
        media.file.storage.delete(media.file.name)
        raise
    logger.info("media %s stored for workspace %s (%s, %d bytes)", media.pk, workspace.pk, media.mime_type, media.file_size)
    return media


@transaction.atomic
def media_delete(*, media):
    """Delete `media` and its stored file. Raises Conflict while a post that is neither draft nor
    cancelled uses it; links from draft and cancelled posts are removed with it."""
    media = MediaFile.objects.select_for_update().get(pk=media.pk)
    links = PostMedia.objects.filter(media=media).select_related("post")
    busy = sorted({link.post_id for link in links if link.post.status not in DETACHABLE_POST_STATUSES})
    if busy:
        raise Conflict(
            f"This media is attached to post{'s' if len(busy) > 1 else ''} {', '.join(map(str, busy))}, "
            "which is scheduled or published; cancel the post or remove the media from it first."
        )
    links.delete()
    storage, name = media.file.storage, media.file.name
    media.delete()
    transaction.on_commit(lambda: storage.delete(name))


def media_set_alt_text(*, media, alt_text):
    """Change a file's alt text (what screen readers say; sent to networks with the image)."""
    media.alt_text = (alt_text or "").strip()
    media.full_clean(exclude=[f.name for f in MediaFile._meta.fields if f.name != "alt_text"])
    media.save(update_fields=["alt_text"])
    return media
