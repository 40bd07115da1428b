"""The media admin shows thumbnails (signed URLs; storage is private) and browses files by folder."""

import pytest
from django.urls import reverse

from media.models import MediaFolder
from tests.factories import MediaFileFactory, WorkspaceFactory
from tests.media.conftest import image_bytes, stored_media

pytestmark = pytest.mark.django_db


def test_the_media_list_shows_thumbnails_and_filters_by_folder(admin_client):
    workspace = WorkspaceFactory(name="Acme")
    brand = MediaFolder.objects.create(workspace=workspace, name="Brand")
    logos = MediaFolder.objects.create(workspace=workspace, name="Logos", parent=brand)
    inside = stored_media(workspace, "logo.png", image_bytes("PNG", (40, 40)))
    inside.folder = logos
    inside.save()
    outside = MediaFileFactory(workspace=workspace, original_filename="elsewhere.png")
    url = reverse("admin:media_mediafile_changelist")

    everything = admin_client.get(url).content.decode()
    in_folder = admin_client.get(url, {"folder": logos.pk}).content.decode()

    assert "Acme / Brand/Logos" in everything
    assert '<img src="http://127.0.0.1:8000/media/public/' in everything
    assert "logo.png" in in_folder and outside.original_filename not in in_folder


def test_the_folder_list_links_to_its_files(admin_client):
    folder = MediaFolder.objects.create(workspace=WorkspaceFactory(), name="Launch")
    MediaFileFactory(workspace=folder.workspace, folder=folder)

    page = admin_client.get(reverse("admin:media_mediafolder_changelist")).content.decode()

    assert f"?folder={folder.pk}" in page


def test_a_file_cannot_be_put_in_another_workspaces_folder(admin_client):
    """The admin's folder choice listed every workspace's folders."""
    mine = MediaFileFactory(workspace=WorkspaceFactory())
    theirs = MediaFolder.objects.create(workspace=WorkspaceFactory(), name="Theirs")
    own = MediaFolder.objects.create(workspace=mine.workspace, name="Own")
    url = reverse("admin:media_mediafile_change", args=[mine.pk])

    refused = admin_client.post(url, {"folder": theirs.pk, "alt_text": "", "renditions-TOTAL_FORMS": 0, "renditions-INITIAL_FORMS": 0})
    assert refused.status_code == 200 and "folder" in refused.context["adminform"].form.errors
    mine.refresh_from_db()
    assert mine.folder is None
    saved = admin_client.post(url, {"folder": own.pk, "alt_text": "Logo", "renditions-TOTAL_FORMS": 0, "renditions-INITIAL_FORMS": 0})
    assert saved.status_code == 302
    mine.refresh_from_db()
    assert mine.folder == own and mine.alt_text == "Logo"


def test_folders_saved_in_the_admin_follow_the_folder_rules(admin_client):
    """The plain model form accepted a parent of another workspace and moving a folder below itself."""
    workspace = WorkspaceFactory()
    top = MediaFolder.objects.create(workspace=workspace, name="Top")
    child = MediaFolder.objects.create(workspace=workspace, name="Child", parent=top)
    foreign = MediaFolder.objects.create(workspace=WorkspaceFactory(), name="Theirs")

    cycle = admin_client.post(reverse("admin:media_mediafolder_change", args=[top.pk]), {"workspace": workspace.pk, "parent": child.pk, "name": "Top"})
    assert cycle.status_code == 200 and "cannot be moved into itself" in cycle.context["adminform"].form.errors["parent"][0]
    top.refresh_from_db()
    assert top.parent is None

    added = admin_client.post(reverse("admin:media_mediafolder_add"), {"workspace": workspace.pk, "parent": foreign.pk, "name": "New"})
    assert added.status_code == 200 and "parent" in added.context["adminform"].form.errors
    assert not MediaFolder.objects.filter(name="New").exists()

    ok = admin_client.post(reverse("admin:media_mediafolder_add"), {"workspace": workspace.pk, "parent": top.pk, "name": "New"})
    assert ok.status_code == 302 and MediaFolder.objects.get(name="New").parent == top
