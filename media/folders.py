"""Brand library folders: create, rename, move (never into itself or below itself), delete when empty.
Names are unique among a folder's children; errors are field errors."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from rest_framework.exceptions import ValidationError

from config.exceptions import Conflict

from .models import MediaFolder

MAX_DEPTH = 20


def _check_parent(folder, parent):
    if parent is not None and parent.workspace_id != folder.workspace_id:
        raise ValidationError({"parent": ["No such folder in this workspace."]})
    depth, node = 1, parent
    while node is not None:
        if folder.pk is not None and node.pk == folder.pk:
            raise ValidationError({"parent": ["A folder cannot be moved into itself or one of its subfolders."]})
        depth += 1
        if depth > MAX_DEPTH:
            raise ValidationError({"parent": [f"Folders nest at most {MAX_DEPTH} levels deep."]})
        node = node.parent


def _save(folder):
    try:
        with transaction.atomic():
            folder.save()
    except IntegrityError:
        raise ValidationError({"name": [f"There is already a folder named '{folder.name}' here."]}) from None
    return folder


def folder_create(*, workspace, name, parent=None):
    folder = MediaFolder(workspace=workspace, name=name, parent=parent)
    _check_parent(folder, parent)
    return _save(folder)


def folder_update(*, folder, **changes):
    """Rename (`name`) and/or move (`parent`, None for the top level)."""
    if "name" in changes:
        folder.name = changes["name"]
    if "parent" in changes:
        _check_parent(folder, changes["parent"])
        folder.parent = changes["parent"]
    return _save(folder)


@transaction.atomic
def folder_delete(*, folder):
    folder = MediaFolder.objects.select_for_update().get(pk=folder.pk)
    if folder.children.exists() or folder.media_files.exists():
        raise Conflict(f"The folder '{folder.name}' is not empty; move or delete its files and subfolders first.")
    folder.delete()
