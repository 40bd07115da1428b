"""Engine paths the README promises, exercised through the engine's own entry points: token expired ->
refresh -> retry once and the per-account token bucket inside publish_batch; the admin's publish-now
and mark-published actions; refresh_account_limits; the refresh_tokens command."""

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_redis import get_redis_connection

from social_media.models import ConnectedAccount, Post, PublishAttempt, Status
from social_media.services import ratelimit
from social_media.services.publishing import publish_batch
from social_media.services.tokens import refresh_account_limits
from tests.engine.conftest import due_target
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory
from tests.platforms.conftest_x import make_x_account

pytestmark = pytest.mark.django_db(transaction=True)


def authorizations(x_fake, path="/2/tweets"):
    return [r.headers.get("authorization") for r in x_fake.requests_to(path, method="POST")]


# --- token expired -> refresh -> retry once -------------------------------------------------
def test_an_expired_token_is_refreshed_and_the_publish_retried_once(x_settings, x_fake):
    account = make_x_account(x_fake)  # its stored expiry is two hours away: no refresh beforehand
    old_access, old_refresh = account.access_token, account.refresh_token
    x_fake.expire(old_access)  # ... but the network no longer takes it
    target = due_target(account, "After a refresh")
    assert publish_batch(target_ids=[target.id])[target.id].status == Status.POSTED
    account.refresh_from_db()
    assert account.access_token != old_access and account.refresh_token != old_refresh
    sent = authorizations(x_fake)
    assert sent == [f"Bearer {old_access}", f"Bearer {account.access_token}"]  # refused once, then sent with the new token
    assert [p.text for p in x_fake.posts if p.author_id == account.platform_user_id] == ["After a refresh"]
    attempt = PublishAttempt.objects.get(target=target)
    assert (attempt.attempt_number, attempt.outcome) == (1, "success")


def test_a_token_still_refused_after_the_refresh_disconnects_the_account(x_settings, x_fake):
    account = make_x_account(x_fake)
    x_fake.expire(account.access_token)
    x_fake.fail_next("status", status=401, body={"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"},
                     path="/2/tweets", method="POST", times=2)
    target = due_target(account, "Never accepted")
    later = due_target(account, "Queued behind", at=timezone.now() + timedelta(hours=1), dispatched=False)
    assert publish_batch(target_ids=[target.id])[target.id].status == Status.FAILED
    account.refresh_from_db(), later.refresh_from_db()
    assert account.needs_reconnect
    assert later.status == Status.FAILED and "Reconnect" in later.error_message
    assert len(authorizations(x_fake, "/2/oauth2/token")) == 1  # refreshed once, retried once, then gave up
    assert len(authorizations(x_fake)) == 2
    assert PublishAttempt.objects.get(target=target).error_class == "AccountDisconnected"


# --- the per-account token bucket inside the engine ------------------------------------------
def test_an_account_out_of_posting_tokens_is_rescheduled_without_calling_the_network(x_settings, x_fake):
    account = make_x_account(x_fake)
    capacity, per_seconds = 300, 3 * 3600  # the X adapter's posting_rate
    for _ in range(capacity):
        assert ratelimit.take(account_id=account.id, capacity=capacity, per_seconds=per_seconds) == 0.0
    target = due_target(account, "One too many")
    asked_at = timezone.now()
    next_token_in = ratelimit.take(account_id=account.id, capacity=capacity, per_seconds=per_seconds)  # empty: takes nothing
    assert next_token_in > 2  # too long to wait for inside the task (MAX_INLINE_WAIT_SECONDS)
    outcome = publish_batch(target_ids=[target.id])[target.id]
    target.refresh_from_db()
    assert outcome.status == Status.SCHEDULED and target.status == Status.SCHEDULED and target.dispatched_at is None
    assert target.next_attempt_at >= asked_at + timedelta(seconds=next_token_in - 0.5)  # no sooner than the next free token
    attempt = PublishAttempt.objects.get(target=target)
    assert (attempt.outcome, attempt.error_class, attempt.http_status) == ("retry", "RateLimited", None)
    assert authorizations(x_fake) == []


def test_a_token_due_within_a_moment_is_waited_for_and_the_post_goes_out(x_settings, x_fake):
    account = make_x_account(x_fake)
    # A bucket one hundredth of a token short of the next post: its wait (0.36 s) is slept inline.
    get_redis_connection("default").hset(f"bucket:account:{account.id}", mapping={"tokens": "0.99", "ts": str(time.time())})
    target = due_target(account, "Waited a moment")
    assert publish_batch(target_ids=[target.id])[target.id].status == Status.POSTED
    assert len(authorizations(x_fake)) == 1
    tokens = float(get_redis_connection("default").hget(f"bucket:account:{account.id}", "tokens"))
    assert tokens < 1  # the token was taken from the shared bucket


# --- admin actions ----------------------------------------------------------------------------
def test_the_admin_publish_now_action_hands_the_post_to_the_engine(staff_client, mastodon_account, mastodon_fake):
    post = PostFactory(workspace=mastodon_account.workspace, content="From the admin")
    target = PostTargetFactory(post=post, account=mastodon_account)
    answer = staff_client.post(reverse("admin:social_media_post_changelist"), {"action": "publish_now", "_selected_action": [post.id]},
                               follow=True)
    assert "1 post(s) sent for publishing" in answer.content.decode()
    target.refresh_from_db()
    assert target.status == Status.SCHEDULED and target.dispatched_at is not None and target.next_attempt_at <= timezone.now()
    assert publish_batch(target_ids=[target.id])[target.id].status == Status.POSTED  # what the queued message runs
    assert [p["text"] for p in mastodon_fake.posts] == ["From the admin"]


def test_the_admin_publish_now_action_reports_a_post_that_fails_validation(staff_client, mastodon_account, mastodon_fake):
    post = PostFactory(workspace=mastodon_account.workspace, content="y" * 501)
    target = PostTargetFactory(post=post, account=mastodon_account)
    answer = staff_client.post(reverse("admin:social_media_post_changelist"), {"action": "publish_now", "_selected_action": [post.id]},
                               follow=True)
    assert "500" in answer.content.decode() and "sent for publishing" not in answer.content.decode()
    target.refresh_from_db()
    assert target.status == Status.DRAFT and mastodon_fake.requests == []


def test_staff_mark_an_unconfirmed_target_as_published(staff_client):
    post = PostFactory(status=Status.UNCONFIRMED)
    attempted = timezone.now() - timedelta(minutes=5)
    target = PostTargetFactory(post=post, status=Status.UNCONFIRMED, last_attempt_at=attempted, error_message="could not confirm")
    other = PostTargetFactory(post=PostFactory(status=Status.POSTED), status=Status.POSTED)
    answer = staff_client.post(reverse("admin:social_media_posttarget_changelist"),
                               {"action": "mark_published", "_selected_action": [target.id, other.id]}, follow=True)
    body = answer.content.decode()
    assert "1 target(s) marked published" in body and "Only an unconfirmed target can be resolved" in body
    target.refresh_from_db()
    assert (target.status, target.posted_at, target.error_message) == (Status.POSTED, attempted, "")
    assert Post.objects.get(id=post.id).status == Status.POSTED


# --- limits and tokens, as beat and the commands run them ----------------------------------
def test_refresh_account_limits_stores_what_each_network_announces_and_flags_revoked_accounts(mastodon_account, mastodon_fake):
    mastodon_fake.limits["max_characters"] = 777
    remote, token = mastodon_fake.add_account("revoked")
    revoked = ConnectedAccountFactory(platform="mastodon", platform_user_id=remote["id"], platform_username="revoked",
                                      access_token=token, instance_url=mastodon_fake.base_url)
    mastodon_fake.revoke(token)
    inactive = ConnectedAccountFactory(platform="mastodon", is_active=False, instance_url=mastodon_fake.base_url)
    assert refresh_account_limits() == (1, 1)
    mastodon_account.refresh_from_db(), revoked.refresh_from_db(), inactive.refresh_from_db()
    assert mastodon_account.platform_settings["max_characters"] == 777 and mastodon_account.limits_refreshed_at
    assert revoked.needs_reconnect and revoked.last_error
    assert inactive.limits_refreshed_at is None  # not asked


def test_the_refresh_tokens_command_rotates_expiring_tokens_and_says_what_it_did(x_settings, x_fake):
    soon = make_x_account(x_fake)
    ConnectedAccount.objects.filter(id=soon.id).update(token_expires_at=timezone.now() + timedelta(days=2))
    later = make_x_account(x_fake)
    ConnectedAccount.objects.filter(id=later.id).update(token_expires_at=timezone.now() + timedelta(days=30))
    out = StringIO()
    call_command("refresh_tokens", "--days", "7", stdout=out)
    assert out.getvalue().strip() == "refreshed 1; need reconnect 0; failed transiently (will retry) 0"
    old_refresh = soon.refresh_token
    soon.refresh_from_db(), later.refresh_from_db()
    assert soon.refresh_token != old_refresh and soon.token_expires_at > timezone.now() + timedelta(minutes=100)
    assert later.token_expires_at > timezone.now() + timedelta(days=29)  # left alone
    assert len(authorizations(x_fake, "/2/oauth2/token")) == 1
