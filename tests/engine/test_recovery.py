"""What the engine does when the outcome is unknown, when workers die, and when tokens run out."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from social_media.models import ConnectedAccount, PublishAttempt, PostTarget, Status
from social_media.services import ratelimit
from social_media.services.publishing import target_publish
from social_media.services.sweeper import stuck_after_seconds, sweep
from social_media.services.tokens import refresh_expiring_tokens
from tests.engine.conftest import due_target
from tests.engine.processes import wait_until
from tests.platforms.conftest_x import make_x_account

pytestmark = pytest.mark.django_db(transaction=True)


def test_x_without_idempotency_marks_an_unsettled_publish_unconfirmed_instead_of_posting_again(x_settings, x_fake):
    account = make_x_account(x_fake)
    target = due_target(account, "Unknown fate")
    x_fake.fail_next("drop_after_store", path="/2/tweets", method="POST")
    x_fake.fail_next("server_error", times=5, path=f"/2/users/{account.platform_user_id}/tweets", method="GET")
    outcome = target_publish(target_id=target.id)
    target.refresh_from_db()
    assert outcome.status == Status.UNCONFIRMED and target.status == Status.UNCONFIRMED
    assert "could not confirm" in target.error_message
    assert len([p for p in x_fake.posts if p.author_id == account.platform_user_id]) == 1
    assert PublishAttempt.objects.get(target=target).outcome == PublishAttempt.Outcome.UNCONFIRMED
    assert target_publish(target_id=target.id) is None  # an unconfirmed target is never re-sent by the engine


def test_x_finds_a_post_whose_reply_was_lost_on_the_timeline(x_settings, x_fake):
    account = make_x_account(x_fake)
    target = due_target(account, "Landed after all https://example.com/a/very/long/link")
    x_fake.fail_next("drop_after_store", path="/2/tweets", method="POST")
    assert target_publish(target_id=target.id).status == Status.POSTED
    target.refresh_from_db()
    mine = [p for p in x_fake.posts if p.author_id == account.platform_user_id]
    assert len(mine) == 1 and target.platform_post_id == mine[0].id


def test_publishing_refreshes_an_expiring_x_token_first_and_stores_the_rotated_pair(x_settings, x_fake):
    account = make_x_account(x_fake)
    old_refresh = account.refresh_token
    ConnectedAccount.objects.filter(id=account.id).update(token_expires_at=timezone.now() + timedelta(seconds=60))
    target = due_target(account, "Fresh token")
    assert target_publish(target_id=target.id).status == Status.POSTED
    account.refresh_from_db()
    assert account.refresh_token and account.refresh_token != old_refresh
    assert account.token_expires_at > timezone.now() + timedelta(minutes=100)


def test_a_revoked_refresh_token_needs_reconnect_and_fails_pending_targets(x_settings, x_fake):
    account = make_x_account(x_fake)
    ConnectedAccount.objects.filter(id=account.id).update(
        refresh_token="not-a-token-the-network-issued", token_expires_at=timezone.now() + timedelta(days=1)
    )
    pending = due_target(account, "Waiting", at=timezone.now() + timedelta(hours=2), dispatched=False)
    refreshed, disconnected, transient = refresh_expiring_tokens()
    account.refresh_from_db()
    pending.refresh_from_db()
    assert (refreshed, disconnected, transient) == (0, 1, 0)
    assert account.needs_reconnect
    assert pending.status == Status.FAILED and "Reconnect" in pending.error_message


def test_a_transient_refresh_failure_disconnects_nothing(x_settings, x_fake):
    account = make_x_account(x_fake)
    ConnectedAccount.objects.filter(id=account.id).update(token_expires_at=timezone.now() + timedelta(days=1))
    x_fake.fail_next("server_error", times=3, path="/2/oauth2/token")
    assert refresh_expiring_tokens() == (0, 0, 1)
    account.refresh_from_db()
    assert not account.needs_reconnect and account.is_active and "will retry" in account.last_error


def test_the_sweeper_hands_out_a_target_whose_dispatch_was_lost(mastodon_account):
    target = due_target(mastodon_account, at=timezone.now() - timedelta(minutes=2))
    PostTarget.objects.filter(id=target.id).update(dispatched_at=timezone.now() - timedelta(minutes=2))
    assert sweep().redispatched == 1
    target.refresh_from_db()
    assert target.status == Status.SCHEDULED and target.dispatched_at is None


def test_the_sweeper_settles_a_target_whose_worker_died_after_posting(mastodon_account, mastodon_fake):
    target = due_target(mastodon_account, "Worker died")
    mastodon_fake.fail_next("drop_after_store", method="POST", path="/api/v1/statuses")
    # Simulate the crash: the post reached the network, then the worker vanished mid-publish.
    from social_media.platforms import PlatformFactory

    PostTarget.objects.filter(id=target.id).update(
        status=Status.PUBLISHING, claimed_at=timezone.now() - timedelta(seconds=stuck_after_seconds() + 5)
    )
    with pytest.raises(Exception):
        PlatformFactory.get_platform(mastodon_account).publish(target, target.content, [])
    assert len(mastodon_fake.posts) == 1
    assert sweep().reconciled == 1
    target.refresh_from_db()
    assert target.status == Status.POSTED and target.platform_post_id == str(mastodon_fake.posts[0]["id"])
    assert len(mastodon_fake.posts) == 1


def test_the_sweeper_leaves_a_fresh_claim_alone(mastodon_account):
    target = due_target(mastodon_account)
    PostTarget.objects.filter(id=target.id).update(status=Status.PUBLISHING, claimed_at=timezone.now())
    assert sweep().reconciled == 0
    target.refresh_from_db()
    assert target.status == Status.PUBLISHING


def test_the_token_bucket_is_shared_and_refills(settings):
    assert settings.REDIS_URL, "the bucket must be tested on Redis"
    waits = [ratelimit.take(account_id=424242, capacity=3, per_seconds=30) for _ in range(4)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert 9 <= waits[3] <= 10.5  # one token every 10 s


def test_a_bluesky_publish_whose_reply_was_lost_is_found_at_its_record_key(connect_bluesky, bluesky_proxy, bluesky_pds):
    account = connect_bluesky(via=bluesky_proxy.base_url)
    target = due_target(account, "Exactly once on Bluesky")
    bluesky_proxy.fail_next("drop", nsid="com.atproto.repo.createRecord")
    assert target_publish(target_id=target.id).status == Status.POSTED
    target.refresh_from_db()
    assert [p["value"]["text"] for p in bluesky_pds.list_posts(account.platform_user_id)] == ["Exactly once on Bluesky"]
    assert target.platform_post_id.startswith("at://")


def test_a_slow_publish_keeps_its_claim_alive_and_the_sweeper_leaves_it_alone(mastodon_account, mastodon_fake, settings):
    from social_media.services.publishing import publish_batch

    settings.PUBLISH_HEARTBEAT_SECONDS = 1
    settings.PUBLISH_STUCK_AFTER_SECONDS = 4  # a claim this old without a heartbeat would be taken as dead
    target = due_target(mastodon_account, "Slow network")
    release = threading.Event()  # the network holds its answer until the test has looked
    mastodon_fake.fail_next("timeout", method="POST", path="/api/v1/statuses", delay=25, release=release)

    def run_worker():
        from django.db import connection

        try:
            publish_batch(target_ids=[target.id])
        finally:
            connection.close()

    worker = threading.Thread(target=run_worker)
    worker.start()
    try:
        def claim_older_than_stuck_after():
            current = PostTarget.objects.get(id=target.id)
            return current.claimed_at and (timezone.now() - current.claimed_at).total_seconds() > stuck_after_seconds() + 1 and current

        current = wait_until(claim_older_than_stuck_after, timeout=60, interval=0.2)
        assert current.status == Status.PUBLISHING and len(mastodon_fake.posts) == 1  # sent, answer still pending
        assert current.heartbeat_at > current.claimed_at  # kept alive while waiting for the answer
        assert sweep().reconciled == 0  # ... so the sweeper leaves it to its live worker
    finally:
        release.set()
        worker.join(30)
    target.refresh_from_db()
    assert target.status == Status.POSTED and len(mastodon_fake.posts) == 1
    assert PublishAttempt.objects.filter(target=target).count() == 1


def test_x_looks_again_before_resending_when_its_timeline_lagged(x_settings, x_fake, settings):
    """The first reconcile misses the post (X's timeline lags); the retry finds it instead of re-sending."""
    account = make_x_account(x_fake)
    target = due_target(account, "Lagging timeline")
    x_fake.fail_next("drop_after_store", path="/2/tweets", method="POST")
    x_fake.fail_next("status", status=200, body={"meta": {"result_count": 0}}, path=f"/2/users/{account.platform_user_id}/tweets")
    assert target_publish(target_id=target.id).status == Status.SCHEDULED  # not found (yet): retry later
    assert PublishAttempt.objects.get(target=target).error_class == "OutcomeUnknown"
    PostTarget.objects.filter(id=target.id).update(next_attempt_at=timezone.now(), dispatched_at=timezone.now())
    assert target_publish(target_id=target.id).status == Status.POSTED
    mine = [p for p in x_fake.posts if p.author_id == account.platform_user_id]
    assert len(mine) == 1 and len(x_fake.requests_to("/2/tweets", method="POST")) == 1
    target.refresh_from_db()
    assert target.platform_post_id == mine[0].id
