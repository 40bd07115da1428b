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
