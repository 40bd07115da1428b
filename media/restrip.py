"""Strip personal metadata from media stored before uploads were stripped (or by an older version):
the stored file is re-written in place under a new name, an image's thumbnail is made again from it (an
older version kept JPEG comments in both), its renditions and cached network uploads are dropped (they
were made from the old bytes), and the old files are deleted once the row points at the new ones."""

from __future__ import annotations

import io
import logging
import os

from django.core.files.base import ContentFile
from django.db import transaction

from . import images, video
from .models import MediaFile
from .storage import delete_quietly, local_path, save_path, temp_path

logger = logging.getLogger(__name__)


def media_restrip(*, media: MediaFile) -> bool:
    """Re-write `media`'s stored file without metadata. Returns False when it could not be read."""
    storage, old_name = media.file.storage, media.file.name
    extension = old_name.rsplit(".", 1)[-1] if "." in old_name else "bin"
    old_thumbnail = None
    try:
        if media.media_type == MediaFile.MediaType.VIDEO:
            with local_path(storage, old_name) as src, temp_path(f".{extension}") as dst:
                video.strip_metadata(src, dst, max_bytes=os.path.getsize(src) + 1024 * 1024, mp4_family=extension != "webm")
                size = os.path.getsize(dst)
                save_path(media.file, f"upload.{extension}", dst)
        else:
            with storage.open(old_name, "rb") as handle:
                encoded = images.strip_metadata(io.BytesIO(handle.read()))
            media.file.save(f"upload.{extension}", ContentFile(encoded.data), save=False)
            size = len(encoded.data)
            media.width, media.height = encoded.width, encoded.height
            if media.thumbnail:
                old_thumbnail = media.thumbnail.name
                media.thumbnail.save("thumb.jpg", ContentFile(images.thumbnail(io.BytesIO(encoded.data))), save=False)
    except Exception as exc:  # noqa: BLE001 - one unreadable file must not stop the sweep; it is reported
        logger.warning("media %s could not be re-stripped: %s", media.pk, exc)
        return False
    rendition_names = list(media.renditions.values_list("file", flat=True))
    if old_thumbnail:
        rendition_names.append(old_thumbnail)
    with transaction.atomic():
        media.file_size = size
        media.save(update_fields=["file", "thumbnail", "file_size", "width", "height"])
        media.renditions.all().delete()
        media.network_uploads.all().delete()
    transaction.on_commit(lambda: [delete_quietly(storage, name) for name in [old_name, *rendition_names]])
    return True
