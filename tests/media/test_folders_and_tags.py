"""The brand library: hierarchical folders, tags, filters, edits, SHA-256 dedup and orphan cleanup."""

import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from media.cleanup import delete_orphaned_files
from media.models import MediaFile, MediaFolder
from tests.factories import MediaFileFactory, WorkspaceFactory

from .conftest import image_bytes, stored_files, stored_media
from .test_upload import upload

FOLDERS = "/api/v1/media/folders/"
pytestmark = pytest.mark.django_db


def make_folder(api, name, parent=None):
    response = api.post(FOLDERS, {"name": name, "parent": parent}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


class TestFolders:
    def test_it_creates_nested_folders_and_lists_them_with_paths(self, auth_api, media_root):
        brand = make_folder(auth_api, "Brand")
        logos = make_folder(auth_api, "Logos", brand["id"])

        listed = auth_api.get(FOLDERS).json()["results"]

        assert {(f["name"], f["parent"], f["path"]) for f in listed} == {("Brand", None, "Brand"), ("Logos", brand["id"], "Brand/Logos")}
        assert logos["path"] == "Brand/Logos"

    def test_it_refuses_a_duplicate_name_under_the_same_parent(self, auth_api, media_root):
        brand = make_folder(auth_api, "Brand")
        make_folder(auth_api, "Logos", brand["id"])

        response = auth_api.post(FOLDERS, {"name": "Logos", "parent": brand["id"]}, format="json")
        top = auth_api.post(FOLDERS, {"name": "Brand"}, format="json")

        assert response.status_code == 400 and "name" in response.json()["error"]["fields"]
        assert top.status_code == 400

    def test_it_renames_and_moves_but_never_into_itself(self, auth_api, media_root):
        brand, other = make_folder(auth_api, "Brand"), make_folder(auth_api, "Other")
        logos = make_folder(auth_api, "Logos", brand["id"])

        renamed = auth_api.patch(f"{FOLDERS}{logos['id']}/", {"name": "Marks", "parent": other["id"]}, format="json")
        cycle = auth_api.patch(f"{FOLDERS}{other['id']}/", {"parent": logos["id"]}, format="json")

        assert renamed.status_code == 200 and renamed.json()["path"] == "Other/Marks"
        assert cycle.status_code == 400 and "parent" in cycle.json()["error"]["fields"]

    def test_it_deletes_only_an_empty_folder(self, auth_api, workspace, media_root):
        brand = make_folder(auth_api, "Brand")
        media = MediaFileFactory(workspace=workspace, folder_id=brand["id"])

        busy = auth_api.delete(f"{FOLDERS}{brand['id']}/")
        media.delete()
        done = auth_api.delete(f"{FOLDERS}{brand['id']}/")

        assert busy.status_code == 409 and "not empty" in busy.json()["error"]["message"]
        assert done.status_code == 204 and not MediaFolder.objects.exists()

    def test_another_workspaces_folder_is_not_found_and_cannot_be_a_parent(self, auth_api, media_root):
        foreign = MediaFolder.objects.create(workspace=WorkspaceFactory(), name="Theirs")

        assert auth_api.get(f"{FOLDERS}{foreign.pk}/").status_code == 404
        response = auth_api.post(FOLDERS, {"name": "Mine", "parent": foreign.pk}, format="json")
        assert response.status_code == 400 and "parent" in response.json()["error"]["fields"]

    def test_filtering_by_another_workspaces_folder_answers_like_a_missing_one(self, auth_api, media_root):
        """?parent= looked ids up among every workspace's folders: 200 for another team's folder, 400 for a
        missing one, which told anyone which folder ids exist elsewhere."""
        mine = make_folder(auth_api, "Mine")
        make_folder(auth_api, "Child", mine["id"])
        foreign = MediaFolder.objects.create(workspace=WorkspaceFactory(), name="Theirs")

        assert [f["name"] for f in auth_api.get(FOLDERS, {"parent": mine["id"]}).json()["results"]] == ["Child"]
        theirs, missing = auth_api.get(FOLDERS, {"parent": foreign.pk}), auth_api.get(FOLDERS, {"parent": foreign.pk + 1000})
        assert theirs.status_code == missing.status_code == 400
        assert theirs.json() == missing.json()
        assert list(theirs.json()["error"]["fields"]) == ["parent"]


class TestLibrary:
    def test_upload_takes_a_folder_and_tags_and_answers_processing(self, auth_api, media_root):
        folder = make_folder(auth_api, "Launch")

        response = upload(auth_api, "hero.png", image_bytes("PNG"), folder=folder["id"], tags="Launch, Hero")

        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["status"], body["folder"], body["tags"]) == ("processing", folder["id"], ["hero", "launch"])

    def test_it_filters_by_type_status_folder_tag_and_text(self, auth_api, workspace, media_root):
        folder = MediaFolder.objects.create(workspace=workspace, name="Launch")
        tagged = stored_media(workspace, "hero.png", image_bytes("PNG", (10, 10)))
        auth_api.patch(f"/api/v1/media/{tagged.pk}/", {"tags": ["hero"], "folder": folder.pk, "alt_text": "Our hero"}, format="json")
        other = stored_media(workspace, "other.png", image_bytes("PNG", (11, 11)))
        MediaFile.objects.filter(pk=other.pk).update(status="failed")

        def ids(**params):
            return [m["id"] for m in auth_api.get("/api/v1/media/", params).json()["results"]]

        assert ids(tag="hero") == [tagged.pk]
        assert ids(folder=folder.pk) == [tagged.pk]
        assert ids(status="failed") == [other.pk]
        assert ids(type="image") == [other.pk, tagged.pk]
        assert ids(search="hero") == [tagged.pk]
        assert ids(type="video") == []

    @pytest.mark.parametrize("value", ["1.5", "0", "-1", "abc", "9" * 30])
    def test_a_folder_that_is_not_an_id_is_a_field_error(self, auth_api, workspace, value):
        MediaFolder.objects.create(workspace=workspace, name="One")

        response = auth_api.get("/api/v1/media/", {"folder": value})

        assert response.status_code == 400
        assert list(response.json()["error"]["fields"]) == ["folder"]

    def test_a_refused_upload_creates_no_tags(self, auth_api, workspace, media_root):
        from media.models import MediaTag

        response = upload(auth_api, "notes.png", b"plain text, not an image", tags="brand-new, another")

        assert response.status_code == 400
        assert not MediaTag.objects.filter(workspace=workspace).exists()

    def test_patch_edits_alt_text_folder_and_tags_only(self, auth_api, workspace, media_root):
        media = stored_media(workspace, "a.png", image_bytes("PNG"))

        response = auth_api.patch(f"/api/v1/media/{media.pk}/", {"alt_text": "A red block", "tags": ["one"], "file_size": 1}, format="json")

        assert response.status_code == 200
        media.refresh_from_db()
        assert (media.alt_text, media.file_size > 1) == ("A red block", True)
        assert [t.name for t in media.tags.all()] == ["one"]

    def test_the_same_file_twice_is_one_stored_object(self, auth_api, workspace, media_root):
        data = image_bytes("PNG", (33, 33))

        first, second = upload(auth_api, "a.png", data), upload(auth_api, "copy.png", data)

        assert (first.status_code, second.status_code) == (201, 200)
        assert first.json()["id"] == second.json()["id"]
        assert MediaFile.objects.count() == 1 and len([f for f in stored_files(media_root) if "/derived/" not in f]) == 1

    def test_dedup_is_per_workspace(self, auth_api, user, media_root):
        data = image_bytes("PNG", (34, 34))
        stored_media(WorkspaceFactory(), "theirs.png", data)

        assert upload(auth_api, "mine.png", data).status_code == 201
        assert MediaFile.objects.count() == 2


class TestOrphanCleanup:
    def test_it_deletes_old_unreferenced_files_and_keeps_everything_in_use(self, workspace, media_root):
        media = stored_media(workspace, "kept.png", image_bytes("PNG"))
        orphan = default_storage.save(f"workspaces/{workspace.pk}/derived/orphan.jpg", ContentFile(b"x"))
        fresh = default_storage.save(f"workspaces/{workspace.pk}/fresh.jpg", ContentFile(b"y"))
        old = default_storage.path(orphan)
        os.utime(old, (os.path.getmtime(old) - 3 * 86400,) * 2)

        deleted = delete_orphaned_files(older_than=timedelta(days=1))

        assert deleted == 1
        remaining = stored_files(media_root)
        assert orphan not in remaining and fresh in remaining
        assert media.file.name in remaining and media.thumbnail.name in remaining

    def test_it_is_a_periodic_job(self, settings):
        entry = settings.CELERY_BEAT_SCHEDULE["delete-orphaned-media-files"]
        assert entry["task"] == "media.tasks.delete_orphaned_files_task" and entry["options"]["expires"]
