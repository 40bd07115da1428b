"""A retry after a failed publish reuses the network's media id instead of uploading the file again, on X
(ids expire after 24 h) and Mastodon; an expired id is uploaded afresh."""

from datetime import timedelta

import pytest
from django.utils import timezone

from media.models import NetworkUpload
from social_media.models import PostMedia
from social_media.platforms import PlatformFactory
from social_media.platforms.base import PlatformError
from social_media.services.validation import media_items_for
from tests.factories import PostFactory, PostTargetFactory

from .conftest import image_bytes, stored_media

pytestmark = [pytest.mark.network, pytest.mark.django_db]


def target_with_image(account, content="Retry me"):
    media = stored_media(account.workspace, "a.png", image_bytes("PNG", (50, 40)))
    post = PostFactory(workspace=account.workspace, content=content)
    PostMedia.objects.create(post=post, media=media, order=0)
    return PostTargetFactory(post=post, account=account), media


def publish_twice_failing_first(account, target, fail):
    adapter = PlatformFactory.get_platform(account)
    fail()
    with pytest.raises(PlatformError):
        adapter.publish(target, target.content, media_items_for(target.post, target))
    return adapter.publish(target, target.content, media_items_for(target.post, target))


def test_x_reuses_the_uploaded_media_id_on_retry(x_account, x_fake, media_root):
    target, media = target_with_image(x_account)

    result = publish_twice_failing_first(x_account, target, lambda: x_fake.fail_next("server_error", path="/2/tweets", method="POST"))

    assert len(x_fake.requests_to("/2/media/upload", "POST")) == 1
    [cached] = NetworkUpload.objects.filter(account=x_account, media=media)
    assert x_fake.post(result.platform_post_id).media_ids == [cached.remote_id]
    assert abs(cached.expires_at - (timezone.now() + timedelta(hours=24))) < timedelta(minutes=5)


def test_x_uploads_again_once_the_cached_id_is_about_to_expire(x_account, x_fake, media_root):
    target, _media = target_with_image(x_account)
    adapter = PlatformFactory.get_platform(x_account)
    x_fake.fail_next("server_error", path="/2/tweets", method="POST")
    with pytest.raises(PlatformError):
        adapter.publish(target, target.content, media_items_for(target.post, target))

    NetworkUpload.objects.update(expires_at=timezone.now() + timedelta(minutes=10))  # X's 24 h nearly over

    adapter.publish(target, target.content, media_items_for(target.post, target))

    assert len(x_fake.requests_to("/2/media/upload", "POST")) == 2


def test_mastodon_reuses_the_uploaded_attachment_on_retry(mastodon_account, mastodon_fake, media_root):
    target, media = target_with_image(mastodon_account)

    publish_twice_failing_first(
        mastodon_account, target, lambda: mastodon_fake.fail_next("500", method="POST", path="/api/v1/statuses")
    )

    uploads = [r for r in mastodon_fake.requests if r.method == "POST" and r.path.startswith("/api/v2/media")]
    assert len(uploads) == 1
    [cached] = NetworkUpload.objects.filter(account=mastodon_account, media=media)
    assert mastodon_fake.posts[0]["media_ids"] == [cached.remote_id]
