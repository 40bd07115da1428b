"""Threads fetches media itself: through the engine, the rendition made for Threads is served at its
signed public URL (this server, under PUBLIC_BASE_URL) and the Threads fake downloads it from there."""

import pytest

from social_media.models import PostMedia, Status
from social_media.services.posts import post_publish_now
from social_media.services.publishing import target_publish
from tests.factories import PostFactory, PostTargetFactory

from .conftest import photo_jpeg, stored_media

pytestmark = [pytest.mark.network, pytest.mark.django_db(transaction=True)]


def test_a_photo_scheduled_to_threads_is_fetched_by_threads_from_our_signed_url(threads_account, threads_fake, media_root, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    media = stored_media(threads_account.workspace, "IMG_2000.jpg", photo_jpeg(width=2000, height=1500))
    post = PostFactory(workspace=threads_account.workspace, content="A photo for Threads")
    PostMedia.objects.create(post=post, media=media, order=0)
    target = PostTargetFactory(post=post, account=threads_account)

    post_publish_now(post=post)
    outcome = target_publish(target_id=target.pk)

    assert outcome.status == Status.POSTED, outcome
    [container] = [c for c in threads_fake.containers.values() if c.media_type == "IMAGE"]
    assert container.media_url.startswith(f"{live_server.url}/media/public/") and container.status == "PUBLISHED"
    target.refresh_from_db()
    assert threads_fake.media[target.platform_post_id].text == "A photo for Threads"


def test_an_expired_signed_url_fails_the_threads_container_with_metas_message(threads_account, threads_fake, media_root, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    settings.MEDIA_PUBLIC_URL_SECONDS = -60
    media = stored_media(threads_account.workspace, "IMG_2001.jpg", photo_jpeg(width=800, height=600))
    post = PostFactory(workspace=threads_account.workspace, content="Too late")
    PostMedia.objects.create(post=post, media=media, order=0)
    target = PostTargetFactory(post=post, account=threads_account)

    post_publish_now(post=post)
    outcome = target_publish(target_id=target.pk)

    assert outcome.status == Status.FAILED and "FAILED_DOWNLOADING_IMAGE" in outcome.message
    assert threads_fake.posts == []
