"""The engine publishing to LinkedIn's fake: LinkedIn takes no idempotency key, so after a 5xx, a
timeout or a duplicate refusal the engine reconciles through the author's posts and never posts twice."""

import pytest
from django.utils import timezone

from social_media.models import PostTarget, PublishAttempt, Status
from social_media.services.publishing import publish_batch
from tests.engine.conftest import due_target
from tests.platforms.conftest_linkedin import make_linkedin_account

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_5xx_after_linkedin_created_the_post_settles_as_posted_without_a_duplicate(linkedin_account, linkedin_fake):
    target = due_target(linkedin_account, "Exactly once, please")
    linkedin_fake.fail_next("error_after_store", path="/rest/posts", method="POST", status=500)
    outcomes = publish_batch(target_ids=[target.id])
    target.refresh_from_db()
    [post] = linkedin_fake.posts_by(linkedin_account.platform_user_id)
    assert outcomes[target.id].status == Status.POSTED
    assert target.status == Status.POSTED and target.platform_post_id == post.urn
    assert len(linkedin_fake.requests_to("/rest/posts", "POST")) == 1
    assert PublishAttempt.objects.get(target=target).outcome == PublishAttempt.Outcome.SUCCESS


def test_a_5xx_before_anything_was_created_is_retried_once_reconcile_says_not_found(linkedin_account, linkedin_fake):
    target = due_target(linkedin_account, "Second time lucky")
    linkedin_fake.fail_next("server_error", path="/rest/posts", method="POST", status=503)
    publish_batch(target_ids=[target.id])
    target.refresh_from_db()
    assert target.status == Status.SCHEDULED and linkedin_fake.posts_by(linkedin_account.platform_user_id) == []
    assert PublishAttempt.objects.get(target=target).error_class == "OutcomeUnknown"  # a 5xx on create: reconciled, not found
    PostTarget.objects.filter(id=target.id).update(next_attempt_at=timezone.now(), dispatched_at=timezone.now())
    assert publish_batch(target_ids=[target.id])[target.id].status == Status.POSTED
    assert len(linkedin_fake.posts_by(linkedin_account.platform_user_id)) == 1


def test_an_unknown_outcome_linkedin_will_not_let_us_check_becomes_unconfirmed(linkedin_settings, linkedin_fake, db):
    account = make_linkedin_account(linkedin_fake, scopes=["openid", "profile", "w_member_social"])  # no r_member_social
    target = due_target(account, "Cannot check")
    linkedin_fake.fail_next("drop_after_store", path="/rest/posts", method="POST")
    publish_batch(target_ids=[target.id])
    target.refresh_from_db()
    assert target.status == Status.UNCONFIRMED
    assert len(linkedin_fake.posts_by(account.platform_user_id)) == 1


def test_a_revoked_member_token_marks_the_account_for_reconnect(linkedin_account, linkedin_fake):
    target = due_target(linkedin_account, "Too late")
    linkedin_fake.revoke(linkedin_account.access_token)
    publish_batch(target_ids=[target.id])
    target.refresh_from_db()
    linkedin_account.refresh_from_db()
    assert target.status == Status.FAILED and linkedin_account.needs_reconnect and "revoked" in linkedin_account.last_error


def test_an_expired_token_is_refreshed_and_the_post_goes_out_once(linkedin_account, linkedin_fake):
    target = due_target(linkedin_account, "After a refresh")
    linkedin_fake.expire(linkedin_account.access_token)
    assert publish_batch(target_ids=[target.id])[target.id].status == Status.POSTED
    linkedin_account.refresh_from_db()
    assert len(linkedin_fake.requests_to("/oauth/v2/accessToken", "POST")) == 1
    assert len(linkedin_fake.posts_by(linkedin_account.platform_user_id)) == 1
