"""The same bytes uploaded again (the library keeps one file per SHA-256) with new alt text: the alt text
typed with the upload is the one stored and published, through every upload path (the media API, the
web library's upload); an upload without alt text keeps the file's. The composer's path is tested in
tests/webapp/test_composer.py."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from media import services
from media.models import MediaFile
from social_media.models import Post, Status
from social_media.services.posts import post_publish_now
from social_media.services.publishing import target_publish
from tests.factories import ConnectedAccountFactory, UserFactory

from .conftest import image_bytes
from .test_upload import upload

pytestmark = pytest.mark.django_db


def test_the_api_stores_the_alt_text_sent_with_the_same_file_again(auth_api, media_root):
    data = image_bytes("PNG", (40, 30))
    first = upload(auth_api, "chart.png", data, alt_text="A chart")

    again = upload(auth_api, "chart-copy.png", data, alt_text="  Sales by month, rising in June  ")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["alt_text"] == "Sales by month, rising in June"
    assert MediaFile.objects.get().alt_text == "Sales by month, rising in June"


def test_the_same_file_again_without_alt_text_keeps_the_files(auth_api, media_root):
    data = image_bytes("PNG", (41, 30))
    upload(auth_api, "chart.png", data, alt_text="A chart")

    again = upload(auth_api, "chart.png", data)

    assert again.status_code == 200 and again.json()["alt_text"] == "A chart"
    assert MediaFile.objects.get().alt_text == "A chart"


def test_the_web_librarys_upload_stores_the_alt_text_sent_with_the_same_file_again(workspace, user, media_root):
    client = Client()
    client.force_login(user)
    data = image_bytes("PNG", (42, 30))
    url = reverse("webapp:library_upload")
    for alt in ("Old words", "A red block on white"):
        response = client.post(url, {"file": SimpleUploadedFile("block.png", data), "alt_text": alt}, HTTP_ACCEPT="application/json")
        assert response.status_code == 200 and response.json()["ok"], response.content

    assert MediaFile.objects.get(workspace=workspace).alt_text == "A red block on white"


@pytest.mark.django_db(transaction=True)
def test_the_network_receives_the_alt_text_of_the_latest_upload(auth_api, workspace, mastodon_fake, media_root):
    """API upload with alt text, the same bytes again with a correction, a post with that file published
    to a Mastodon server: the description it receives is the correction."""
    remote, token = mastodon_fake.add_account("alice")
    account = ConnectedAccountFactory(
        workspace=workspace, platform="mastodon", platform_user_id=remote["id"], platform_username=remote["username"],
        access_token=token, refresh_token="", instance_url=mastodon_fake.base_url,
    )
    data = image_bytes("PNG", (43, 30))
    media_id = upload(auth_api, "team.png", data, alt_text="Team photo").json()["id"]
    assert upload(auth_api, "team.png", data, alt_text="Five people laughing at a desk").status_code == 200
    services.media_process(media_id=media_id)
    created = auth_api.post("/api/v1/posts/", {"content": "Meet the team", "target_accounts": [account.pk], "media_ids": [media_id]}, format="json")
    assert created.status_code == 201, created.content
    post = Post.objects.get(pk=created.json()["id"])
    post_publish_now(post=post)

    outcome = target_publish(target_id=post.targets.get().pk)

    assert outcome.status == Status.POSTED, outcome
    [sent] = [r for r in mastodon_fake.requests if r.method == "POST" and r.path.startswith("/api/v2/media")]
    assert sent.form["description"] == ["Five people laughing at a desk"]


def test_another_workspaces_copy_of_the_bytes_keeps_its_alt_text(auth_api, media_root):
    data = image_bytes("PNG", (44, 30))
    theirs = UserFactory()
    services.media_upload(workspace=theirs.personal_workspace, uploaded_by=theirs, uploaded_file=SimpleUploadedFile("a.png", data), alt_text="Theirs")

    assert upload(auth_api, "a.png", data, alt_text="Mine").status_code == 201
    assert MediaFile.objects.get(workspace=theirs.personal_workspace).alt_text == "Theirs"
