"""Signed, expiring URLs of exactly one stored file: what Instagram and Threads download media from."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.utils import timezone
from PIL import Image

from media.public import SALT, signed_url
from social_media.models import PostMedia
from social_media.services.validation import media_items_for
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory

from .conftest import image_bytes, stored_media


def path_of(url, settings):
    assert url.startswith(settings.PUBLIC_BASE_URL + "/media/public/")
    return url[len(settings.PUBLIC_BASE_URL):]


def body(response):
    return b"".join(response.streaming_content)


@pytest.fixture
def instagram_post(workspace, media_root):
    """A post with one too-tall PNG, targeted at an Instagram account (default fit: pad)."""
    media = stored_media(workspace, "tall.png", image_bytes("PNG", (500, 1000)))
    post = PostFactory(workspace=workspace, content="On Instagram")
    PostMedia.objects.create(post=post, media=media, order=0)
    account = ConnectedAccountFactory(workspace=workspace, platform="instagram")
    return post, PostTargetFactory(post=post, account=account), media


@pytest.mark.django_db
class TestInstagramMediaThroughSignedUrls:
    def test_the_instagram_item_is_a_jpeg_within_the_aspect_range_served_by_its_signed_url(self, client, instagram_post, settings):
        post, target, media = instagram_post

        [item] = media_items_for(post, target)

        assert (item.mime_type, item.media_type) == ("image/jpeg", "image")
        assert 0.8 - 0.01 <= item.width / item.height <= 1.91
        response = client.get(path_of(item.public_url(), settings))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        data = body(response)
        assert len(data) == item.file_size
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "JPEG" and image.size == (item.width, item.height)
        with item.open() as handle:
            assert handle.read() == data  # exactly the rendition, not the original

    def test_crop_is_chosen_per_target(self, instagram_post):
        post, target, _media = instagram_post
        target.platform_specific_settings = {"media_fit": "crop"}
        target.save()

        [item] = media_items_for(post, target)

        assert (item.width, item.height) == (500, 625)

    def test_the_signed_url_expires(self, client, instagram_post, settings):
        post, target, _media = instagram_post
        settings.MEDIA_PUBLIC_URL_SECONDS = 600
        [item] = media_items_for(post, target)
        url = path_of(item.public_url(), settings)

        with time_machine.travel(timezone.now() + timedelta(seconds=590), tick=False):
            assert client.get(url).status_code == 200
        with time_machine.travel(timezone.now() + timedelta(seconds=610), tick=False):
            response = client.get(url)
        assert response.status_code == 410


@pytest.mark.django_db
class TestSignedUrlView:
    def test_a_tampered_token_is_not_found(self, client, workspace, media_root, settings):
        media = stored_media(workspace, "a.png", image_bytes("PNG"))
        url = path_of(signed_url(media.file.name, media.mime_type), settings)

        assert client.get(url[:-3] + "xx/").status_code == 404

    def test_a_token_serves_only_the_file_it_names(self, client, workspace, media_root, settings):
        first = stored_media(workspace, "a.png", image_bytes("PNG", (10, 10)))
        second = stored_media(workspace, "b.png", image_bytes("PNG", (20, 20)))
        token = path_of(signed_url(first.file.name, "image/png"), settings).split("/")[3]
        payload = signing.loads(token, salt=SALT)
        forged = signing.dumps({**payload, "n": second.file.name}, salt="another-salt", compress=True)

        assert client.get(f"/media/public/{forged}/").status_code == 404
        response = client.get(f"/media/public/{token}/")
        with first.file.open("rb") as handle:
            assert body(response) == handle.read()

    def test_a_deleted_file_is_not_found(self, client, workspace, media_root, settings):
        media = stored_media(workspace, "a.png", image_bytes("PNG"))
        url = path_of(signed_url(media.file.name, media.mime_type), settings)
        media.file.storage.delete(media.file.name)

        assert client.get(url).status_code == 404

    def test_the_library_urls_are_signed(self, auth_api, workspace, media_root, settings, client):
        media = stored_media(workspace, "a.png", image_bytes("PNG", (64, 48)))

        item = auth_api.get(f"/api/v1/media/{media.pk}/").json()

        assert item["status"] == "ready"
        thumb = client.get(path_of(item["thumbnail_url"], settings))
        assert thumb["Content-Type"] == "image/jpeg"
        with Image.open(io.BytesIO(body(thumb))) as image:
            assert image.size == (64, 48)
