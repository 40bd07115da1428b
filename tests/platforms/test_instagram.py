"""The Instagram adapter against the Meta fake: the shared contract, the container flow (the fake
downloads every public URL), carousels and reels, quota, stored containers and reconcile, errors."""

import pytest

from social_media.models import PostTarget
from social_media.platforms import PlatformFactory
from social_media.platforms.base import InvalidContent, OutcomeUnknown, RateLimited, TransientError
from tests.factories import PostFactory, PostTargetFactory
from tests.platforms.conftest_meta import meta_jpeg, meta_video
from tests.platforms.contract import AdapterContract


class InstagramRemote:
    def __init__(self, fake, account):
        self.fake, self.ig_id = fake, account.platform_user_id

    def get_text(self, media_id):
        media = self.fake.ig_media.get(media_id)
        return None if media is None or media["deleted"] else media["caption"]

    def count_posts(self):
        return len(self.fake.live_media(self.ig_id))


@pytest.fixture
def account(instagram_account):
    return instagram_account


@pytest.fixture
def remote(meta_fake, instagram_account):
    return InstagramRemote(meta_fake, instagram_account)


def target_for(account, content):
    return PostTargetFactory(post=PostFactory(workspace=account.workspace, content=content), account=account)


class TestInstagramContract(AdapterContract):
    too_long_text = "a" * 2_201

    @pytest.fixture(autouse=True)
    def _files(self, media_files):
        self.files = media_files

    def media(self, account):
        return [meta_jpeg(account, self.files)]


@pytest.mark.django_db(transaction=True)
class TestInstagramPublishing:
    def test_a_photo_passes_through_in_progress_and_is_published_once(self, instagram_account, meta_fake, media_files):
        meta_fake.in_progress_polls = 3
        adapter = PlatformFactory.get_platform(instagram_account)
        photo = meta_jpeg(instagram_account, media_files)
        target = target_for(instagram_account, "Sourdough #bread")
        result = adapter.publish(target, target.content, [photo])
        [create] = meta_fake.requests_to(f"/{instagram_account.platform_user_id}/media", method="POST")
        assert create.form == {"image_url": photo.public_url(), "caption": "Sourdough #bread"}
        assert meta_fake.downloads[0]["status"] == 200 and meta_fake.downloads[0]["size"] == photo.file_size
        container_id = meta_fake.requests_to("/media_publish")[0].form["creation_id"]
        assert len([r for r in meta_fake.requests_to(f"/{container_id}") if r.method == "GET"]) == 4  # 3 x IN_PROGRESS, FINISHED
        assert PostTarget.objects.get(id=target.id).platform_specific_settings["instagram_container_id"] == container_id
        assert meta_fake.ig_media[result.platform_post_id]["caption"] == "Sourdough #bread"
        assert result.url.startswith("https://www.instagram.com/p/")
        assert len(meta_fake.requests_to("/content_publishing_limit")) == 1

    def test_a_carousel_sends_finished_children_then_the_parent(self, instagram_account, meta_fake, media_files):
        adapter = PlatformFactory.get_platform(instagram_account)
        items = [meta_jpeg(instagram_account, media_files), meta_video(instagram_account, media_files), meta_jpeg(instagram_account, media_files)]
        result = adapter.publish(target_for(instagram_account, "Three"), "Three", items)
        creates = meta_fake.requests_to(f"/{instagram_account.platform_user_id}/media", method="POST")
        assert [c.form.get("is_carousel_item") for c in creates[:3]] == ["true"] * 3
        assert creates[1].form["media_type"] == "VIDEO" and "caption" not in creates[0].form
        assert creates[3].form["media_type"] == "CAROUSEL" and len(creates[3].form["children"].split(",")) == 3
        assert meta_fake.ig_media[result.platform_post_id]["media_type"] == "CAROUSEL_ALBUM"

    def test_a_single_video_is_published_as_a_reel(self, instagram_account, meta_fake, media_files):
        adapter = PlatformFactory.get_platform(instagram_account)
        result = adapter.publish(target_for(instagram_account, "Reel"), "Reel", [meta_video(instagram_account, media_files)])
        [create] = meta_fake.requests_to(f"/{instagram_account.platform_user_id}/media", method="POST")
        assert create.form["media_type"] == "REELS" and create.form["video_url"].startswith(media_files.base_url)
        assert meta_fake.ig_media[result.platform_post_id]["media_type"] == "VIDEO"

    @pytest.mark.parametrize("broken", ["unsigned", "expired", "unreachable"])
    def test_a_url_meta_cannot_download_fails_with_metas_message(self, instagram_account, meta_fake, media_files, broken):
        photo = meta_jpeg(instagram_account, media_files)
        url = {"unsigned": media_files.unsigned, "expired": media_files.expired,
               "unreachable": lambda u: "http://127.0.0.1:9/nothing.jpg"}[broken](photo.public_url())
        photo = meta_jpeg(instagram_account, url=url)
        with pytest.raises(InvalidContent, match="Media download has failed"):
            PlatformFactory.get_platform(instagram_account).publish(target_for(instagram_account, "x"), "x", [photo])
        assert meta_fake.requests_to("/media_publish") == [] and meta_fake.live_media(instagram_account.platform_user_id) == []

    def test_without_a_public_url_it_names_the_setting_and_sends_nothing(self, instagram_account, meta_fake):
        photo = meta_jpeg(instagram_account)  # public_url None: no signed URL service
        with pytest.raises(InvalidContent, match="PUBLIC_BASE_URL"):
            PlatformFactory.get_platform(instagram_account).publish(target_for(instagram_account, "x"), "x", [photo])
        assert meta_fake.requests == []

    def test_a_container_in_error_fails_with_metas_status(self, instagram_account, meta_fake, media_files):
        meta_fake.container_failures.append("Error: The aspect ratio is not supported.")
        with pytest.raises(InvalidContent, match="aspect ratio is not supported"):
            PlatformFactory.get_platform(instagram_account).publish(target_for(instagram_account, "x"), "x", [meta_jpeg(instagram_account, media_files)])

    def test_media_still_processing_after_the_wait_is_transient_and_the_retry_reuses_the_container(
            self, instagram_account, meta_fake, media_files, settings):
        settings.META_CONTAINER_MAX_WAIT_SECONDS = 0  # one status read per attempt (plus the reuse check)
        meta_fake.in_progress_polls = 3
        adapter = PlatformFactory.get_platform(instagram_account)
        target = target_for(instagram_account, "Slow")
        photo = meta_jpeg(instagram_account, media_files)
        with pytest.raises(TransientError, match="still processing"):
            adapter.publish(target, target.content, [photo])
        with pytest.raises(TransientError):
            adapter.publish(target, target.content, [photo])
        result = adapter.publish(target, target.content, [photo])
        assert len(meta_fake.requests_to(f"/{instagram_account.platform_user_id}/media", method="POST")) == 1
        assert len(meta_fake.live_media(instagram_account.platform_user_id)) == 1 and result.platform_post_id in meta_fake.ig_media

    def test_media_not_ready_at_publish_is_transient(self, instagram_account, meta_fake, media_files):
        meta_fake.fail_next("error", path="/media_publish", code=9007, subcode=2207027, message="Media ID is not available")
        with pytest.raises(TransientError, match="still processing"):
            PlatformFactory.get_platform(instagram_account).publish(target_for(instagram_account, "x"), "x", [meta_jpeg(instagram_account, media_files)])

    def test_an_exhausted_quota_is_rate_limited_until_the_oldest_post_leaves_the_window(self, instagram_account, meta_fake, media_files):
        meta_fake.quota_total = 2
        adapter = PlatformFactory.get_platform(instagram_account)
        for text in ("one", "two"):
            adapter.publish(target_for(instagram_account, text), text, [meta_jpeg(instagram_account, media_files)])
        with pytest.raises(RateLimited, match="2 posts per 24 hours") as caught:
            adapter.publish(target_for(instagram_account, "three"), "three", [meta_jpeg(instagram_account, media_files)])
        assert 86_000 < caught.value.retry_after <= 86_400
        assert len(meta_fake.requests_to(f"/{instagram_account.platform_user_id}/media", method="POST")) == 2

    def test_a_publishing_limit_refusal_waits_for_the_window_and_the_retry_publishes_the_same_container(
            self, instagram_account, meta_fake, media_files):
        adapter = PlatformFactory.get_platform(instagram_account)
        first = adapter.publish(target_for(instagram_account, "one"), "one", [meta_jpeg(instagram_account, media_files)])
        meta_fake.ig_media[first.platform_post_id]["created"] -= 23 * 3600  # leaves the 24-hour window in an hour
        # content_publishing_limit said there was room, yet media_publish is refused (another app posted meanwhile)
        meta_fake.fail_next("error", path="/media_publish", code=9, subcode=2207042, message="Application request limit reached")
        target = target_for(instagram_account, "two")
        with pytest.raises(RateLimited, match="daily publishing limit") as caught:
            adapter.publish(target, "two", [meta_jpeg(instagram_account, media_files)])
        assert 3_500 < caught.value.retry_after <= 3_600
        target.refresh_from_db()
        container = target.platform_specific_settings["instagram_container_id"]
        result = adapter.publish(target, "two", [meta_jpeg(instagram_account, media_files)])
        assert meta_fake.ig_media[result.platform_post_id]["container"] == container
        assert len(meta_fake.requests_to(f"/{instagram_account.platform_user_id}/media", method="POST")) == 2

    def test_the_fake_refuses_a_single_video_sent_as_video_like_meta(self, instagram_account, meta_fake, media_files):
        from social_media.platforms.meta.graph import Graph

        url = media_files.publish(b"\x00\x00\x00\x18ftypmp42" + b"v" * 100, content_type="video/mp4")
        with pytest.raises(InvalidContent, match="REELS"):
            Graph(instagram_account.access_token).post(f"/{instagram_account.platform_user_id}/media",
                                                      data={"media_type": "VIDEO", "video_url": url})

    def test_a_5xx_after_media_publish_is_unknown_and_reconcile_finds_the_post(self, instagram_account, meta_fake, media_files):
        meta_fake.quota_total = 1  # the lost post uses the whole quota: it must still be recognised
        adapter = PlatformFactory.get_platform(instagram_account)
        target = target_for(instagram_account, "Lost answer")
        meta_fake.fail_next("error_after_store", path="/media_publish")
        with pytest.raises(OutcomeUnknown):
            adapter.publish(target, target.content, [meta_jpeg(instagram_account, media_files)])
        [media] = meta_fake.live_media(instagram_account.platform_user_id)
        target.refresh_from_db()
        assert adapter.reconcile(target).found.platform_post_id == media["id"]
        # and publishing again returns that post without a second media_publish
        assert adapter.publish(target, target.content, [meta_jpeg(instagram_account, media_files)]).platform_post_id == media["id"]
        assert len(meta_fake.requests_to("/media_publish")) == 1

    def test_reconcile_of_an_unpublished_container_is_not_found(self, instagram_account, meta_fake, media_files):
        adapter = PlatformFactory.get_platform(instagram_account)
        target = target_for(instagram_account, "Dropped")
        meta_fake.fail_next("drop", path="/media_publish")
        with pytest.raises(OutcomeUnknown):
            adapter.publish(target, target.content, [meta_jpeg(instagram_account, media_files)])
        target.refresh_from_db()
        assert adapter.reconcile(target).not_found

    def test_metrics_read_media_insights(self, instagram_account, meta_fake, media_files):
        adapter = PlatformFactory.get_platform(instagram_account)
        result = adapter.publish(target_for(instagram_account, "m"), "m", [meta_jpeg(instagram_account, media_files)])
        meta_fake.ig_media[result.platform_post_id]["insights"].update(likes=9, comments=4, saved=2, reach=300, views=512, shares=1)
        metrics = adapter.fetch_metrics(result.platform_post_id)
        assert (metrics.likes, metrics.replies, metrics.reposts, metrics.impressions) == (9, 4, 1, 512)
        assert metrics.raw["saved"] == 2 and metrics.raw["reach"] == 300

    def test_metrics_fall_back_to_public_counts_when_insights_refuse_a_metric(self, instagram_account, meta_fake, media_files):
        adapter = PlatformFactory.get_platform(instagram_account)
        result = adapter.publish(target_for(instagram_account, "m"), "m", [meta_jpeg(instagram_account, media_files)])
        meta_fake.ig_media[result.platform_post_id]["insights"].update(likes=5, comments=1)
        meta_fake.unsupported_insights = {"saved"}
        metrics = adapter.fetch_metrics(result.platform_post_id)
        assert (metrics.likes, metrics.replies) == (5, 1)


@pytest.mark.django_db(transaction=True)
class TestInstagramValidation:
    def test_it_counts_hashtags_mentions_and_caption_length(self, instagram_account, media_files):
        adapter = PlatformFactory.get_platform(instagram_account)
        photo = [meta_jpeg(instagram_account, media_files)]
        assert adapter.validate(" ".join(f"#t{i}" for i in range(30)), photo) == []
        [tags] = adapter.validate(" ".join(f"#t{i}" for i in range(31)), photo)
        assert "30 hashtags" in tags and "Remove 1" in tags
        [mentions] = adapter.validate(" ".join(f"@user{i}" for i in range(22)), photo)
        assert "20 @mentions" in mentions and "Remove 2" in mentions
        assert "2,200" in adapter.validate("a" * 2201, photo)[0]

    def test_it_requires_media_jpeg_and_a_supported_aspect_ratio(self, instagram_account, media_files):
        adapter = PlatformFactory.get_platform(instagram_account)
        assert adapter.validate("x", []) == ["Instagram posts need a photo or video; attach at least one."]
        [png] = adapter.validate("x", [meta_jpeg(instagram_account, media_files, mime_type="image/png", image_format="PNG")])
        assert "JPEG images only" in png
        [tall] = adapter.validate("x", [meta_jpeg(instagram_account, media_files, width=1080, height=1920)])
        assert "4:5" in tall and "1080×1920" in tall
        assert adapter.validate("x", [meta_jpeg(instagram_account, media_files, width=1080, height=1350)]) == []
        assert adapter.validate("x", [meta_jpeg(instagram_account, media_files, width=1910, height=1000)]) == []

    def test_it_limits_carousels_and_reel_durations(self, instagram_account, media_files):
        adapter = PlatformFactory.get_platform(instagram_account)
        eleven = [meta_jpeg(instagram_account, media_files, width=100, height=100) for _ in range(11)]
        assert any("at most 10" in e for e in adapter.validate("x", eleven))
        [short] = adapter.validate("x", [meta_video(instagram_account, media_files, duration=2)])
        assert "3 to 900 seconds" in short
        [long_in_carousel] = adapter.validate("x", [meta_video(instagram_account, media_files, duration=90), meta_jpeg(instagram_account, media_files)])
        assert "carousel videos must last 3 to 60" in long_in_carousel


    def test_media_on_an_address_meta_cannot_reach_is_refused_when_checked(self, instagram_account, settings):
        """PUBLIC_BASE_URL unset: this server's media URLs are http://127.0.0.1:8000/..., which Meta cannot download."""
        settings.ALLOW_INSECURE_NETWORK_URLS = False
        settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
        from media.public import signed_url

        adapter = PlatformFactory.get_platform(instagram_account)
        [problem] = adapter.validate("x", [meta_jpeg(instagram_account, url=signed_url("photo.jpg", "image/jpeg"))])
        assert "PUBLIC_BASE_URL" in problem and "S3" in problem
        for unreachable in ("https://10.0.0.5/m.jpg", "https://localhost/m.jpg", "http://sched.example.com/m.jpg"):
            assert adapter.validate("x", [meta_jpeg(instagram_account, url=unreachable)]) == [problem]
        assert adapter.validate("x", [meta_jpeg(instagram_account, url="https://sched.example.com/media/public/t/")]) == []
        settings.PUBLIC_BASE_URL = "https://sched.example.com"
        assert adapter.validate("x", [meta_jpeg(instagram_account, url=signed_url("photo.jpg", "image/jpeg"))]) == []

@pytest.mark.django_db(transaction=True)
def test_check_account_reads_the_publishing_quota_into_the_account(instagram_account, meta_fake):
    from social_media.services.tokens import account_check

    meta_fake.quota_total = 25
    profile = account_check(account=instagram_account)
    instagram_account.refresh_from_db()
    assert profile.platform_username == instagram_account.platform_username
    assert instagram_account.platform_settings["quota_total"] == 25 and instagram_account.platform_settings["page_id"]


@pytest.mark.django_db
def test_scheduling_warns_past_the_publishing_limit_counting_posted_and_scheduled_posts_in_one_24_hour_window(instagram_account):
    from datetime import UTC, datetime, timedelta

    from social_media.models import Status
    from social_media.services.publishing_quota import quota_warnings

    at = datetime(2030, 1, 31, 12, tzinfo=UTC)
    instagram_account.platform_settings = {**instagram_account.platform_settings, "quota_total": 3, "quota_duration": 86400}
    posted = PostTargetFactory(post=PostFactory(workspace=instagram_account.workspace), account=instagram_account, status=Status.POSTED,
                               posted_at=at - timedelta(hours=22))
    for hours in (-2, 3):
        PostTargetFactory(post=PostFactory(workspace=instagram_account.workspace), account=instagram_account, status=Status.SCHEDULED,
                          next_attempt_at=at + timedelta(hours=hours))
    PostTargetFactory(post=PostFactory(workspace=instagram_account.workspace), account=instagram_account, status=Status.FAILED,
                      next_attempt_at=at)  # a failed one never counts
    # -22 h, -2 h and +3 h are not all in one 24-hour window; -22 h with -2 h, or -2 h with +3 h, are: 2 < 3
    assert quota_warnings(account=instagram_account, at=at) == []
    PostTargetFactory(post=PostFactory(workspace=instagram_account.workspace), account=instagram_account, status=Status.QUEUED,
                      next_attempt_at=at + timedelta(hours=1))
    [warning] = quota_warnings(account=instagram_account, at=at)  # -2 h, +1 h, +3 h: with this one, 4 in 24 hours
    assert warning.startswith("Instagram publishes at most 3 posts per 24 hours from apps") and "already has 3" in warning
    assert quota_warnings(account=instagram_account, at=at, exclude_post_id=posted.post_id) != []  # the posted one was not needed
    assert quota_warnings(account=instagram_account, at=at + timedelta(days=2)) == []
    instagram_account.platform_settings = {}
    assert quota_warnings(account=instagram_account, at=at) == []  # Meta's default limit: 50


@pytest.mark.django_db(transaction=True)
def test_scheduling_an_instagram_photo_without_a_public_media_address_is_refused_with_the_docs_sentence(instagram_account, settings):
    """The whole scheduling path (renditions, signed URLs, validate_post): PUBLIC_BASE_URL unset means
    http://127.0.0.1:8000 media URLs, which Meta could not download; refused before anything is sent."""
    from datetime import timedelta

    from django.utils import timezone
    from rest_framework.exceptions import ValidationError

    from media.models import MediaFile
    from social_media.services.posts import post_create, post_schedule

    settings.ALLOW_INSECURE_NETWORK_URLS = False
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    photo = MediaFile.objects.get(pk=meta_jpeg(instagram_account).media_id)
    post = post_create(workspace=instagram_account.workspace, author=None, content="Fresh bread", accounts=[instagram_account], media=[photo])
    with pytest.raises(ValidationError) as caught:
        post_schedule(post=post, at=timezone.now() + timedelta(hours=1))
    [problem] = caught.value.detail["targets"][str(instagram_account.pk)]
    assert str(problem) == ("Instagram fetches media from a public address, and this server cannot offer one: set PUBLIC_BASE_URL "
                            "to this server's public https address, or store media on S3.")
    settings.PUBLIC_BASE_URL = "https://sched.example.com"
    post_schedule(post=post, at=timezone.now() + timedelta(hours=1))
    post.refresh_from_db()
    assert post.status == "scheduled"
