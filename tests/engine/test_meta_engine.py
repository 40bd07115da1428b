"""The engine with the Meta adapters: a 5xx after the post was created never duplicates it, expired
Page tokens are renewed from the stored Meta login, and the daily job renews that login."""

from datetime import timedelta

import pytest
from django.utils import timezone

from social_media.models import ConnectedAccount, PostTarget, PublishAttempt, Status
from social_media.platforms import PlatformFactory
from social_media.platforms.base import OutcomeUnknown
from social_media.services.publishing import publish_batch
from social_media.services.sweeper import sweep
from social_media.services.tokens import refresh_expiring_tokens
from tests.engine.conftest import due_target
from tests.platforms.conftest_meta import make_meta_accounts, meta_jpeg

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def page(meta_settings, meta_fake):
    return make_meta_accounts(meta_fake, instagram=False)[0]


def test_a_5xx_after_the_facebook_post_was_created_is_settled_without_a_duplicate(page, meta_fake):
    target = due_target(page, "Grand opening")
    meta_fake.fail_next("error_after_store", path="/feed", method="POST")
    outcomes = publish_batch(target_ids=[target.id])
    target.refresh_from_db()
    [post] = meta_fake.live_posts(page.platform_user_id)
    assert outcomes[target.id].status == Status.POSTED
    assert target.status == Status.POSTED and target.platform_post_id == post["id"]
    assert len(meta_fake.requests_to("/feed", method="POST")) == 1
    attempt = PublishAttempt.objects.get(target=target)
    assert attempt.outcome == PublishAttempt.Outcome.SUCCESS and attempt.message == target.platform_post_url


def test_a_request_dropped_before_facebook_stored_anything_is_retried_once_and_posted_once(page, meta_fake):
    target = due_target(page, "Second try")
    meta_fake.fail_next("drop", path="/feed", method="POST")
    publish_batch(target_ids=[target.id])
    target.refresh_from_db()
    assert target.status == Status.SCHEDULED and meta_fake.live_posts(page.platform_user_id) == []
    PostTarget.objects.filter(id=target.id).update(next_attempt_at=timezone.now(), dispatched_at=timezone.now())
    assert publish_batch(target_ids=[target.id])[target.id].status == Status.POSTED
    assert len(meta_fake.live_posts(page.platform_user_id)) == 1


def test_an_expired_page_token_is_renewed_from_the_meta_login_and_the_post_goes_out(page, meta_fake):
    old_page_token, old_user_token = page.access_token, page.refresh_token
    meta_fake.expire(old_page_token)
    target = due_target(page, "After renewal")
    assert publish_batch(target_ids=[target.id])[target.id].status == Status.POSTED
    page.refresh_from_db()
    assert page.access_token != old_page_token and page.refresh_token != old_user_token
    assert meta_fake.tokens[page.access_token]["kind"] == "page"
    assert page.token_expires_at > timezone.now() + timedelta(days=59)


def test_a_revoked_meta_login_marks_the_account_for_reconnect(page, meta_fake):
    meta_fake.revoke(page.access_token)
    target = due_target(page, "Revoked")
    later = due_target(page, "Later", at=timezone.now() + timedelta(hours=2), dispatched=False)
    assert publish_batch(target_ids=[target.id])[target.id].status == Status.FAILED
    page.refresh_from_db()
    later.refresh_from_db()
    assert page.needs_reconnect and "reconnect" in page.last_error.lower()
    assert later.status == Status.FAILED and meta_fake.live_posts(page.platform_user_id) == []


def test_the_daily_job_renews_meta_logins_that_expire_within_a_week(page, meta_fake):
    ConnectedAccount.objects.filter(id=page.id).update(token_expires_at=timezone.now() + timedelta(days=3))
    assert refresh_expiring_tokens() == (1, 0, 0)
    page.refresh_from_db()
    assert page.token_expires_at > timezone.now() + timedelta(days=59)
    assert meta_fake.tokens[page.refresh_token]["kind"] == "user_long"
    assert PlatformFactory.get_platform(page).verify_credentials().platform_user_id == page.platform_user_id


def test_a_lapsed_login_keeps_the_page_token_that_still_works(page, meta_fake):
    meta_fake.expire(page.refresh_token)
    ConnectedAccount.objects.filter(id=page.id).update(token_expires_at=timezone.now() + timedelta(days=1))
    assert refresh_expiring_tokens() == (1, 0, 0)
    page.refresh_from_db()
    assert page.token_expires_at is None and not page.needs_reconnect  # Page tokens do not expire
    assert publish_batch(target_ids=[due_target(page, "Still works").id])
    assert len(meta_fake.live_posts(page.platform_user_id)) == 1


def test_a_worker_that_died_after_media_publish_leaves_one_instagram_post(meta_settings, meta_fake, media_files, settings):
    _page, ig = make_meta_accounts(meta_fake)
    target = due_target(ig, "Crashed worker")
    PostTarget.objects.filter(id=target.id).update(status=Status.PUBLISHING, claimed_at=timezone.now() - timedelta(minutes=10),
                                                   heartbeat_at=timezone.now() - timedelta(minutes=10))
    meta_fake.fail_next("error_after_store", path="/media_publish")
    with pytest.raises(OutcomeUnknown):  # what the worker was doing when it died
        PlatformFactory.get_platform(ig).publish(target, target.content, [meta_jpeg(ig, media_files)])
    assert sweep().reconciled == 1
    target.refresh_from_db()
    [media] = meta_fake.live_media(ig.platform_user_id)
    assert target.status == Status.POSTED and target.platform_post_id == media["id"]
    assert len(meta_fake.requests_to("/media_publish")) == 1


@pytest.fixture
def ig_with_photo(meta_settings, meta_fake, live_server, settings):
    """An Instagram account and a due target with a PNG attached: the media pipeline makes the JPEG
    rendition and signs its URL at PUBLIC_BASE_URL (this test's live server), which the fake downloads."""
    from social_media.models import PostMedia
    from tests.factories import MediaFileFactory

    settings.PUBLIC_BASE_URL = live_server.url
    _page, ig = make_meta_accounts(meta_fake)
    target = due_target(ig, "Fresh from the oven")
    media = MediaFileFactory(workspace=ig.workspace)
    PostMedia.objects.create(post=target.post, media=media, order=0)
    return ig, target


def test_instagram_publishes_the_engines_signed_rendition_once(ig_with_photo, meta_fake):
    ig, target = ig_with_photo
    assert publish_batch(target_ids=[target.id])[target.id].status == Status.POSTED, PostTarget.objects.get(id=target.id).error_message
    [create] = meta_fake.requests_to(f"/{ig.platform_user_id}/media", method="POST")
    [download] = meta_fake.downloads
    assert download["status"] == 200 and download["url"] == create.form["image_url"] and "/media/public/" in download["url"]
    [media] = meta_fake.live_media(ig.platform_user_id)
    target.refresh_from_db()
    assert target.platform_post_id == media["id"] and media["caption"] == "Fresh from the oven"


def test_a_5xx_after_instagram_media_publish_is_settled_without_a_duplicate(ig_with_photo, meta_fake):
    ig, target = ig_with_photo
    meta_fake.fail_next("error_after_store", path="/media_publish")
    assert publish_batch(target_ids=[target.id])[target.id].status == Status.POSTED
    [media] = meta_fake.live_media(ig.platform_user_id)
    target.refresh_from_db()
    assert target.platform_post_id == media["id"] and len(meta_fake.requests_to("/media_publish")) == 1
