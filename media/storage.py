"""Reading and writing stored media whatever the storage (local disk or S3): ffmpeg needs local files,
Pillow reads streams."""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager

from django.core.files import File

CHUNK = 1024 * 1024


@contextmanager
def local_path(storage, name, suffix=""):
    """A local path holding the stored file `name`: the file itself on disk storage, else a temporary copy."""
    try:
        path = storage.path(name)
    except NotImplementedError:
        path = None
    if path and os.path.exists(path):
        yield path
        return
    with tempfile.NamedTemporaryFile(prefix="media-", suffix=suffix) as tmp:
        with storage.open(name, "rb") as source:
            shutil.copyfileobj(source, tmp, CHUNK)
        tmp.flush()
        yield tmp.name


@contextmanager
def temp_path(suffix=""):
    """A fresh temporary file path, removed afterwards (ffmpeg writes to paths)."""
    handle, path = tempfile.mkstemp(prefix="media-out-", suffix=suffix)
    os.close(handle)
    try:
        yield path
    finally:
        if os.path.exists(path):
            os.unlink(path)


def save_path(field_file, name, path):
    """Store the local file at `path` into `field_file` under a generated name (streamed, not read whole)."""
    with open(path, "rb") as handle:
        field_file.save(name, File(handle), save=False)


def delete_quietly(storage, name):
    if name:
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - cleanup must not mask the original error; the orphan job retries
            pass
