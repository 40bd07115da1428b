"""Stored files no row refers to (an upload whose transaction rolled back, a rendition made for a
schedule that was then refused, a crash between storing and saving) are deleted once older than
MEDIA_ORPHAN_GRACE_HOURS, so files still being saved are never touched."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from .models import MediaFile, MediaRendition

logger = logging.getLogger(__name__)
ROOT = "workspaces"


def _walk(storage, folder):
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for name in folders:
        yield from _walk(storage, f"{folder}/{name}")


def referenced_names() -> set[str]:
    names = set(MediaFile.objects.values_list("file", flat=True))
    names.update(MediaFile.objects.exclude(thumbnail="").values_list("thumbnail", flat=True))
    names.update(MediaRendition.objects.values_list("file", flat=True))
    return names


def delete_orphaned_files(*, storage=None, older_than: timedelta | None = None) -> int:
    storage = storage or default_storage
    older_than = older_than if older_than is not None else timedelta(hours=settings.MEDIA_ORPHAN_GRACE_HOURS)
    cutoff = timezone.now() - older_than
    stored = list(_walk(storage, ROOT))
    keep = referenced_names()
    deleted = 0
    for name in stored:
        if name in keep:
            continue
        try:
            modified = storage.get_modified_time(name)
        except (FileNotFoundError, OSError):
            continue
        if modified <= cutoff and not _referenced_now(name):
            storage.delete(name)
            deleted += 1
    logger.info("orphaned media files deleted: %d of %d stored", deleted, len(stored))
    return deleted


def _referenced_now(name: str) -> bool:
    """Look once more just before deleting: a row may have been saved since the listing."""
    return (
        MediaFile.objects.filter(file=name).exists()
        or MediaFile.objects.filter(thumbnail=name).exists()
        or MediaRendition.objects.filter(file=name).exists()
    )
