"""The X adapter against the stateful X fake (tests/fakes/x_fake.py): the shared adapter contract,
publishing text, images, GIF and chunked video, metrics, deletion and reconciliation. Assertions read
what the fake received and holds. OAuth is in test_x_oauth.py, failures in test_x_errors.py."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from media.models import MediaFile
from social_media.platforms import PlatformFactory
from social_media.platforms.base import InvalidContent, PlatformError
from tests.factories import MediaFileFactory, PostFactory, PostTargetFactory
from tests.platforms.contract import AdapterContract
from tests.platforms.conftest_x import make_x_account, media_item, png, video

pytestmark = [pytest.mark.network, pytest.mark.django_db(transaction=True)]
MB = 1024 * 1024


class XRemote:
    def __init__(self, fake, user_id):
        self.fake, self.user_id = fake, user_id

    def get_text(self, platform_post_id):
        post = self.fake.post(platform_post_id)
        return post.text if post and not post.deleted and post.author_id == self.user_id else None

    def count_posts(self):
        return sum(1 for post in self.fake.posts if post.author_id == self.user_id and not post.deleted)


class TestXAdapterContract(AdapterContract):
    too_long_text = "a" * 281

    @pytest.fixture
    def account(self, x_account):
        return x_account

    @pytest.fixture
    def remote(self, x_fake, account):
        return XRemote(x_fake, account.platform_user_id)


def make_target(account, content, **fields):
    return PostTargetFactory(post=PostFactory(workspace=account.workspace, content=content), account=account, **fields)


# --- publishing ------------------------------------------------------------------------------
def test_it_publishes_text_with_the_user_token_and_returns_the_public_url(x_account, x_fake):
    target = make_target(x_account, "Hello X")
    result = PlatformFactory.get_platform(x_account).publish(target, target.content, [])

    assert result.url == f"https://x.com/{x_account.platform_username}/status/{result.platform_post_id}"
    assert result.published_at is not None
    sent = x_fake.requests_to("/2/tweets", "POST")
    assert [r.json for r in sent] == [{"text": "Hello X"}]
    assert sent[0].headers["authorization"] == f"Bearer {x_account.access_token}"
    assert x_fake.post(result.platform_post_id).text == "Hello X"


def test_it_publishes_two_images_with_alt_text(x_account, x_fake):
    images = [png(x_account, "A red square"), png(x_account, "Another red square")]
    target = make_target(x_account, "Two pictures")
    result = PlatformFactory.get_platform(x_account).publish(target, target.content, images)

    uploads = x_fake.requests_to("/2/media/upload", "POST")
    assert [(u.form, u.files["media"]["content_type"]) for u in uploads] == [({"media_category": "tweet_image"}, "image/png")] * 2
    assert uploads[0].files["media"]["size"] == images[0].file_size
    media_ids = [mid for mid, media in x_fake.media.items() if media.owner_id == x_account.platform_user_id]
    assert [r.json for r in x_fake.requests_to("/2/media/metadata")] == [
        {"id": media_ids[0], "metadata": {"alt_text": {"text": "A red square"}}},
        {"id": media_ids[1], "metadata": {"alt_text": {"text": "Another red square"}}},
    ]
    assert x_fake.requests_to("/2/tweets", "POST")[0].json == {"text": "Two pictures", "media": {"media_ids": media_ids}}
    assert [x_fake.media[m].alt_text for m in x_fake.post(result.platform_post_id).media_ids] == ["A red square", "Another red square"]


def test_it_uploads_a_video_in_chunks_and_waits_for_processing(x_account, x_fake):
    clip = video(x_account, 9 * MB + 123)
    target = make_target(x_account, "A short clip")
    result = PlatformFactory.get_platform(x_account).publish(target, target.content, [clip])

    init = x_fake.requests_to("/2/media/upload/initialize")
    assert [r.json for r in init] == [{"media_type": "video/mp4", "total_bytes": 9 * MB + 123, "media_category": "tweet_video"}]
    media_id = x_fake.post(result.platform_post_id).media_ids[0]
    appends = x_fake.requests_to(f"/2/media/upload/{media_id}/append")
    assert [(a.form["segment_index"], a.files["media"]["size"]) for a in appends] == [("0", 4 * MB), ("1", 4 * MB), ("2", MB + 123)]
    assert len(x_fake.requests_to(f"/2/media/upload/{media_id}/finalize")) == 1
    polls = x_fake.requests_to("/2/media/upload", "GET")
    assert [p.query for p in polls] == [{"command": "STATUS", "media_id": media_id}] * 2
    assert x_fake.media[media_id].state == "succeeded"


def test_it_uploads_a_gif_through_the_chunked_upload(x_account, x_fake):
    gif = MediaFileFactory(workspace=x_account.workspace, media_type=MediaFile.MediaType.GIF, mime_type="image/gif",
                           file=ContentFile(b"GIF89a" + b"g" * 5000, name="loop.gif"), file_size=5006)
    target = make_target(x_account, "A loop")
    result = PlatformFactory.get_platform(x_account).publish(target, target.content, [media_item(gif)])

    assert [r.json for r in x_fake.requests_to("/2/media/upload/initialize")] == [
        {"media_type": "image/gif", "total_bytes": 5006, "media_category": "tweet_gif"}
    ]
    assert x_fake.requests_to("/2/media/upload", "POST") == []
    assert x_fake.media[x_fake.post(result.platform_post_id).media_ids[0]].category == "tweet_gif"


def test_it_fails_with_invalid_content_when_x_cannot_process_the_video(x_account, x_fake):
    x_fake.fail_next_processing("Unsupported video codec")
    target = make_target(x_account, "Broken clip")
    with pytest.raises(InvalidContent, match="X could not process the video: Unsupported video codec"):
        PlatformFactory.get_platform(x_account).publish(target, target.content, [video(x_account, 2 * MB)])
    assert x_fake.requests_to("/2/tweets", "POST") == []


def test_it_refuses_invalid_content_before_sending_anything(x_account, x_fake):
    target = make_target(x_account, "a" * 290)
    with pytest.raises(InvalidContent) as caught:
        PlatformFactory.get_platform(x_account).publish(target, target.content, [png(x_account, "")] * 5)
    assert caught.value.errors == [
        "The text counts 290 characters on X, over its limit of 280 (links count 23, emoji and CJK characters count 2).",
        "X allows at most 4 images per post; this post has 5.",
    ]
    assert x_fake.requests == []


def test_it_publishes_an_image_without_text(x_account, x_fake):
    target = make_target(x_account, "")
    result = PlatformFactory.get_platform(x_account).publish(target, "", [png(x_account, "")])
    assert x_fake.requests_to("/2/tweets", "POST")[0].json["text"] == ""
    assert x_fake.requests_to("/2/media/metadata") == []
    assert x_fake.post(result.platform_post_id).media_ids


# --- metrics, deletion, reconciliation --------------------------------------------------------
def test_it_fetches_public_metrics(x_account, x_fake):
    adapter = PlatformFactory.get_platform(x_account)
    target = make_target(x_account, "Count me")
    post_id = adapter.publish(target, target.content, []).platform_post_id
    x_fake.set_metrics(post_id, like_count=7, repost_count=3, reply_count=2, quote_count=1, impression_count=420)

    metrics = adapter.fetch_metrics(post_id)

    assert (metrics.likes, metrics.reposts, metrics.replies, metrics.impressions) == (7, 3, 2, 420)
    assert metrics.raw["quote_count"] == 1
    assert x_fake.requests_to(f"/2/tweets/{post_id}", "GET")[0].query == {"post.fields": "public_metrics"}


def test_it_reports_metrics_of_a_deleted_post_as_not_found(x_account, x_fake):
    adapter = PlatformFactory.get_platform(x_account)
    target = make_target(x_account, "Gone soon")
    post_id = adapter.publish(target, target.content, []).platform_post_id
    adapter.delete(post_id)
    with pytest.raises(PlatformError) as caught:
        adapter.fetch_metrics(post_id)
    assert caught.value.http_status == 404 and not caught.value.retryable


def test_it_treats_deleting_an_already_deleted_post_as_done(x_account, x_fake):
    adapter = PlatformFactory.get_platform(x_account)
    target = make_target(x_account, "Delete me twice")
    post_id = adapter.publish(target, target.content, []).platform_post_id
    adapter.delete(post_id)
    adapter.delete(post_id)
    assert x_fake.post(post_id).deleted
    assert len(x_fake.requests_to(f"/2/tweets/{post_id}", "DELETE")) == 2


def test_it_reconciles_a_post_whose_links_x_rewrote(x_account, x_fake):
    adapter = PlatformFactory.get_platform(x_account)
    content = "Read this & share: https://example.com/articles/2024/a-very-long-slug?ref=scheduler"
    target = make_target(x_account, content, claimed_at=timezone.now())
    published = adapter.publish(target, content, [png(x_account, "")])
    assert x_fake.post(published.platform_post_id).rendered != content  # t.co links, &amp;, media link

    answer = adapter.reconcile(target)

    assert answer.found.platform_post_id == published.platform_post_id
    assert answer.found.url == published.url and answer.found.published_at is not None
    query = x_fake.requests_to(f"/2/users/{x_account.platform_user_id}/tweets")[0].query
    assert query["max_results"] == "100" and query["post.fields"] == "created_at"
    assert query["start_time"] == (target.claimed_at - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_it_reconciles_as_not_found_when_the_timeline_lacks_the_post(x_account, x_fake):
    adapter = PlatformFactory.get_platform(x_account)
    other = make_target(x_account, "Something else entirely")
    adapter.publish(other, other.content, [])
    target = make_target(x_account, "The one that never landed", claimed_at=timezone.now())

    answer = adapter.reconcile(target)

    assert answer.found is None and answer.not_found is True


def test_it_reconciles_as_unknown_when_x_errors(x_account, x_fake):
    target = make_target(x_account, "Unknowable", claimed_at=timezone.now())
    x_fake.fail_next("server_error", path="/2/users/")
    answer = PlatformFactory.get_platform(x_account).reconcile(target)
    assert answer.found is None and answer.not_found is False


def test_it_publishes_long_posts_for_paid_accounts(x_settings, x_fake):
    account = make_x_account(x_fake, subscription_type="Premium", max_weighted_length=25_000)
    account.platform_settings = {"max_weighted_length": 25_000}
    target = make_target(account, "long " * 1000)
    result = PlatformFactory.get_platform(account).publish(target, target.content, [])
    assert x_fake.post(result.platform_post_id).text == "long " * 1000
