"""The first comment's life through the engine against the Meta fake (no idempotency on Graph, so
every exactly-once path is exercised): created when the target is posted, due after the delay,
claimed once, looked for after a lost answer, unconfirmed when the network cannot say, retried on
rate limits, failed with a sentence when the post is gone, token refreshed like publishing."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from first_comments.models import FirstComment, FirstCommentDelivery
from first_comments.services import DELETED_POST, delivery_send, dispatch_due, first_comment_set, sweep
from social_media.models import PostTarget, Status
from social_media.services.publishing import publish_batch, target_publish
from social_media.services.resolution import target_resolve
from tests.engine.conftest import due_target

pytestmark = pytest.mark.django_db(transaction=True)
D = FirstCommentDelivery.Status


def published_with_comment(account, comment="Menu: https://bakery.example", delay=0):
    target = due_target(account, "Fresh bread today")
    FirstComment.objects.create(post=target.post, content=comment, delay_seconds=delay)
    assert target_publish(target_id=target.id).status == Status.POSTED
    target.refresh_from_db()
    return target, FirstCommentDelivery.objects.get(target=target)


def make_due(delivery):
    FirstCommentDelivery.objects.filter(id=delivery.id).update(due_at=timezone.now())


def test_a_posted_target_gets_one_delivery_due_after_the_delay(facebook_account, meta_fake):
    target, delivery = published_with_comment(facebook_account, delay=600)
    assert delivery.status == D.PENDING and delivery.content == "Menu: https://bakery.example"
    assert delivery.due_at == target.posted_at + timedelta(seconds=600)
    sent = []
    assert dispatch_due(enqueue=lambda pk, eta: sent.append(pk)) == 0  # not within the look-ahead yet
    assert dispatch_due(now=target.posted_at + timedelta(seconds=595), enqueue=lambda pk, eta: sent.append(pk)) == 1
    assert delivery_send(delivery_id=delivery.id) is None  # not due: nothing claimed
    assert meta_fake.comments_on(target.platform_post_id) == []


def test_a_post_without_a_first_comment_gets_no_delivery(facebook_account):
    target = due_target(facebook_account, "Plain post")
    target_publish(target_id=target.id)
    assert not FirstCommentDelivery.objects.exists()


def test_publishing_reads_the_first_comment_with_its_batch_not_a_query_per_post(facebook_account, meta_fake):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with_comment = due_target(facebook_account, "With a comment")
    FirstComment.objects.create(post=with_comment.post, content="Menu", delay_seconds=0)
    without = due_target(facebook_account, "Without one")
    with CaptureQueriesContext(connection) as queries:
        publish_batch(target_ids=[with_comment.id, without.id])
    own_reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT') and 'FROM "first_comments_firstcomment"' in q["sql"]]
    assert own_reads == []
    assert list(FirstCommentDelivery.objects.values_list("target_id", flat=True)) == [with_comment.id]


def test_two_messages_for_one_delivery_post_one_comment(facebook_account, meta_fake):
    target, delivery = published_with_comment(facebook_account)
    assert delivery_send(delivery_id=delivery.id) == D.POSTED
    assert delivery_send(delivery_id=delivery.id) is None
    [comment] = meta_fake.comments_on(target.platform_post_id)
    delivery.refresh_from_db()
    assert (delivery.platform_comment_id, delivery.attempts, delivery.error_message) == (comment["id"], 1, "")
    assert delivery.url.startswith("https://www.facebook.com/")


def test_a_comment_whose_answer_was_lost_is_found_not_sent_again(facebook_account, meta_fake):
    target, delivery = published_with_comment(facebook_account)
    meta_fake.fail_next("error_after_store", path="/comments", method="POST")
    assert delivery_send(delivery_id=delivery.id) == D.POSTED
    assert len(meta_fake.comments_on(target.platform_post_id)) == 1


def test_a_comment_lost_before_the_network_stored_it_is_sent_again_after_looking(facebook_account, meta_fake):
    target, delivery = published_with_comment(facebook_account)
    meta_fake.fail_next("drop", path="/comments", method="POST")
    assert delivery_send(delivery_id=delivery.id) == D.PENDING
    delivery.refresh_from_db()
    assert delivery.last_error_class == "OutcomeUnknown" and delivery.due_at > timezone.now()
    make_due(delivery)
    assert delivery_send(delivery_id=delivery.id) == D.POSTED
    assert len(meta_fake.comments_on(target.platform_post_id)) == 1
    assert len(meta_fake.requests_to(f"/{target.platform_post_id}/comments", method="GET")) == 2  # looked both times


def test_a_look_refused_for_a_rate_limit_is_made_again_before_sending(facebook_account, meta_fake):
    target, delivery = published_with_comment(facebook_account)
    meta_fake.fail_next("drop", path="/comments", method="POST")
    assert delivery_send(delivery_id=delivery.id) == D.PENDING
    make_due(delivery)
    meta_fake.fail_next("rate_limit", path="/comments", method="GET", regain_minutes=1)
    assert delivery_send(delivery_id=delivery.id) == D.PENDING
    delivery.refresh_from_db()
    assert delivery.last_error_class == "OutcomeUnknown"  # still unknown: the next attempt looks first
    make_due(delivery)
    assert delivery_send(delivery_id=delivery.id) == D.POSTED
    assert len(meta_fake.comments_on(target.platform_post_id)) == 1
    assert len(meta_fake.requests_to(f"/{target.platform_post_id}/comments", method="GET")) == 3


def test_when_the_network_cannot_say_the_comment_is_unconfirmed_and_not_resent(facebook_account, meta_fake):
    target, delivery = published_with_comment(facebook_account)
    meta_fake.fail_next("error_after_store", path="/comments", method="POST")
    meta_fake.fail_next("server_error", path="/comments", method="GET")
    assert delivery_send(delivery_id=delivery.id) == D.UNCONFIRMED
    delivery.refresh_from_db()
    assert "could not confirm whether the comment was posted" in delivery.error_message
    assert delivery_send(delivery_id=delivery.id) is None
    assert len(meta_fake.comments_on(target.platform_post_id)) == 1


def test_it_retries_after_meta_rate_limits_no_sooner_than_meta_says(facebook_account, meta_fake):
    target, delivery = published_with_comment(facebook_account)
    meta_fake.fail_next("rate_limit", path="/comments", method="POST", regain_minutes=10)
    assert delivery_send(delivery_id=delivery.id) == D.PENDING
    delivery.refresh_from_db()
    assert delivery.due_at >= timezone.now() + timedelta(seconds=590)
    assert "rate limit" in delivery.error_message and "Retrying at" in delivery.error_message
    assert meta_fake.comments_on(target.platform_post_id) == []


def test_a_post_deleted_on_the_network_fails_with_a_sentence(facebook_account, meta_fake):
    target, delivery = published_with_comment(facebook_account)
    meta_fake.posts[target.platform_post_id]["deleted"] = True
    assert delivery_send(delivery_id=delivery.id) == D.FAILED
    delivery.refresh_from_db()
    assert delivery.error_message == DELETED_POST


def test_an_expired_token_is_refreshed_and_the_comment_sent(facebook_account, meta_fake):
    target, delivery = published_with_comment(facebook_account)
    meta_fake.expire(facebook_account.access_token)
    assert delivery_send(delivery_id=delivery.id) == D.POSTED
    assert len(meta_fake.comments_on(target.platform_post_id)) == 1


def test_a_revoked_login_fails_and_marks_the_account_for_reconnect(facebook_account, meta_fake):
    target, delivery = published_with_comment(facebook_account)
    meta_fake.revoke(facebook_account.access_token)
    assert delivery_send(delivery_id=delivery.id) == D.FAILED
    facebook_account.refresh_from_db()
    assert facebook_account.needs_reconnect


def test_the_sweeper_settles_a_delivery_whose_worker_died(facebook_account, meta_fake, settings):
    target, delivery = published_with_comment(facebook_account)
    assert delivery_send(delivery_id=delivery.id) == D.POSTED
    # As if the worker died after the network stored the comment and before the verdict was written.
    FirstCommentDelivery.objects.filter(id=delivery.id).update(status=D.SENDING, claimed_at=timezone.now() - timedelta(hours=1))
    assert sweep() == (0, 1)
    delivery.refresh_from_db()
    assert delivery.status == D.POSTED and len(meta_fake.comments_on(target.platform_post_id)) == 1


def test_a_lost_dispatch_is_handed_out_again(facebook_account):
    _target, delivery = published_with_comment(facebook_account)
    old = timezone.now() - timedelta(minutes=5)
    FirstCommentDelivery.objects.filter(id=delivery.id).update(dispatched_at=old, due_at=old)
    assert sweep() == (1, 0)
    assert dispatch_due(enqueue=lambda pk, eta: None) == 1


def test_staff_confirming_an_unconfirmed_target_creates_its_delivery(facebook_account):
    target = due_target(facebook_account, "Checked by hand")
    FirstComment.objects.create(post=target.post, content="hello", delay_seconds=0)
    PostTarget.objects.filter(id=target.id).update(status=Status.UNCONFIRMED, platform_post_id="123_456")
    target_resolve(target=target, published=True)
    assert FirstCommentDelivery.objects.get(target=target).status == D.PENDING


def test_setting_a_comment_too_long_for_a_target_network_is_a_field_error(facebook_account, instagram_account):
    target = due_target(instagram_account, "A post")
    with pytest.raises(ValidationError) as error:
        first_comment_set(post=target.post, content="x" * 2201, delay_seconds=0)
    assert "Instagram comments allow 2,200 characters" in str(error.value.detail["first_comment"]["content"][0])
    with pytest.raises(ValidationError) as error:
        first_comment_set(post=target.post, content="ok", delay_seconds=86_401)
    assert list(error.value.detail["first_comment"]) == ["delay_seconds"]
    assert first_comment_set(post=target.post, content="ok", delay_seconds=3600).delay_seconds == 3600
