"""The engine against a fault-injecting Mastodon fake: claims, verdicts, retries, attempts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from social_media.models import PublishAttempt, PostTarget, Status
from social_media.services.publishing import dispatch_due, target_publish
from tests.engine.conftest import due_target

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_publishes_a_due_target_once_and_records_the_attempt(mastodon_account, mastodon_fake):
    target = due_target(mastodon_account, "Launch day")
    outcome = target_publish(target_id=target.id)
    target.refresh_from_db()
    assert outcome.status == Status.POSTED
    assert target.status == Status.POSTED and target.platform_post_id and target.posted_at
    assert [p["text"] for p in mastodon_fake.posts] == ["Launch day"]
    statuses = [r for r in mastodon_fake.requests if r.method == "POST" and r.path == "/api/v1/statuses"]
    assert statuses[0].headers.get("idempotency-key") == str(target.idempotency_key)
    attempt = PublishAttempt.objects.get(target=target)
    assert (attempt.attempt_number, attempt.outcome) == (1, PublishAttempt.Outcome.SUCCESS)
    assert attempt.finished_at >= attempt.started_at
    target.post.refresh_from_db()
    assert target.post.status == Status.POSTED


def test_a_duplicate_or_stale_message_publishes_nothing_more(mastodon_account, mastodon_fake):
    target = due_target(mastodon_account)
    assert target_publish(target_id=target.id).status == Status.POSTED
    assert target_publish(target_id=target.id) is None
    assert len(mastodon_fake.posts) == 1
    assert PublishAttempt.objects.filter(target=target).count() == 1


def test_a_message_that_arrives_early_claims_nothing(mastodon_account, mastodon_fake):
    target = due_target(mastodon_account, at=timezone.now() + timedelta(minutes=5))
    assert target_publish(target_id=target.id) is None
    target.refresh_from_db()
    assert target.status == Status.SCHEDULED and mastodon_fake.posts == []


def test_a_cancelled_target_is_never_sent(mastodon_account, mastodon_fake):
    target = due_target(mastodon_account)
    PostTarget.objects.filter(id=target.id).update(status=Status.CANCELLED)
    assert target_publish(target_id=target.id) is None
    assert mastodon_fake.requests == []


def test_it_retries_after_429_no_sooner_than_the_network_asks(mastodon_account, mastodon_fake):
    target = due_target(mastodon_account)
    mastodon_fake.fail_next("429", method="POST", path="/api/v1/statuses", reset_in=120, retry_after=120)
    before = timezone.now()
    outcome = target_publish(target_id=target.id)
    target.refresh_from_db()
    assert outcome.status == Status.SCHEDULED
    assert target.status == Status.SCHEDULED and target.dispatched_at is None
    assert target.next_attempt_at >= before + timedelta(seconds=119)
    attempt = PublishAttempt.objects.get(target=target)
    assert (attempt.outcome, attempt.error_class, attempt.http_status) == ("retry", "RateLimited", 429)
    assert mastodon_fake.posts == []


def test_a_server_error_is_retried_with_backoff_until_the_attempts_run_out(mastodon_account, mastodon_fake, settings):
    settings.PUBLISH_MAX_ATTEMPTS = 3
    target = due_target(mastodon_account)
    mastodon_fake.fail_next("500", times=3, method="POST", path="/api/v1/statuses")
    retries = []  # (retry at, the attempt): the backoff lies between the attempt's start and its end
    for _ in range(3):
        PostTarget.objects.filter(id=target.id).update(next_attempt_at=timezone.now(), dispatched_at=timezone.now())
        target_publish(target_id=target.id)
        target.refresh_from_db()
        if target.status == Status.SCHEDULED:
            retries.append((target.next_attempt_at, PublishAttempt.objects.filter(target=target).latest("started_at")))
    assert target.status == Status.FAILED
    assert "Gave up after 3 attempts" in target.error_message
    base = settings.PUBLISH_BACKOFF_BASE_SECONDS
    for number, (retry_at, attempt) in enumerate(retries, start=1):  # full jitter: 50-100% of base * 2^(n-1)
        ceiling = base * 2 ** (number - 1)
        assert (retry_at - attempt.started_at).total_seconds() >= ceiling * 0.5
        assert (retry_at - attempt.finished_at).total_seconds() <= ceiling
    outcomes = list(PublishAttempt.objects.filter(target=target).values_list("attempt_number", "outcome", "http_status"))
    assert outcomes == [(1, "retry", 500), (2, "retry", 500), (3, "failed", 500)]
    assert mastodon_fake.posts == []


def test_invalid_content_fails_at_once_and_is_never_retried(mastodon_account, mastodon_fake):
    target = due_target(mastodon_account, "x" * 501)
    outcome = target_publish(target_id=target.id)
    target.refresh_from_db()
    assert outcome.status == Status.FAILED and target.status == Status.FAILED
    assert "500" in target.error_message
    assert PublishAttempt.objects.get(target=target).error_class == "InvalidContent"
    assert not [r for r in mastodon_fake.requests if r.path == "/api/v1/statuses"]


def test_a_reply_lost_after_the_post_was_stored_is_settled_without_a_duplicate(mastodon_account, mastodon_fake):
    target = due_target(mastodon_account, "Lost reply")
    mastodon_fake.fail_next("drop_after_store", method="POST", path="/api/v1/statuses")
    outcome = target_publish(target_id=target.id)
    target.refresh_from_db()
    assert outcome.status == Status.POSTED
    assert len(mastodon_fake.posts) == 1 and target.platform_post_id == str(mastodon_fake.posts[0]["id"])


def test_a_connection_dropped_before_anything_was_stored_is_retried(mastodon_account, mastodon_fake):
    target = due_target(mastodon_account, "Dropped")
    mastodon_fake.fail_next("drop", method="POST", path="/api/v1/statuses")
    target_publish(target_id=target.id)
    target.refresh_from_db()
    assert target.status == Status.SCHEDULED and mastodon_fake.posts == []
    PostTarget.objects.filter(id=target.id).update(next_attempt_at=timezone.now(), dispatched_at=timezone.now())
    assert target_publish(target_id=target.id).status == Status.POSTED
    assert len(mastodon_fake.posts) == 1


def test_a_revoked_token_marks_the_account_for_reconnect_and_fails_its_pending_targets(mastodon_account, mastodon_fake):
    target = due_target(mastodon_account, "First")
    later = due_target(mastodon_account, "Later", at=timezone.now() + timedelta(hours=1), dispatched=False)
    mastodon_fake.fail_next("401", method="POST", path="/api/v1/statuses")
    outcome = target_publish(target_id=target.id)
    mastodon_account.refresh_from_db()
    later.refresh_from_db()
    assert outcome.status == Status.FAILED
    assert mastodon_account.needs_reconnect and mastodon_account.last_error
    assert later.status == Status.FAILED and "Reconnect" in later.error_message


def test_an_account_that_needs_reconnect_publishes_nothing(mastodon_account, mastodon_fake):
    mastodon_account.needs_reconnect = True
    mastodon_account.save()
    target = due_target(mastodon_account)
    assert target_publish(target_id=target.id).status == Status.FAILED
    target.refresh_from_db()
    assert "reconnect" in target.error_message and mastodon_fake.requests == []


def test_dispatch_hands_out_only_targets_due_within_the_lookahead_once(mastodon_account, settings):
    settings.DISPATCH_LOOKAHEAD_SECONDS = 10
    now = timezone.now()
    soon = due_target(mastodon_account, "soon", at=now + timedelta(seconds=5), dispatched=False)
    overdue = due_target(mastodon_account, "overdue", at=now - timedelta(seconds=5), dispatched=False)
    due_target(mastodon_account, "later", at=now + timedelta(seconds=60), dispatched=False)
    sent = []
    assert dispatch_due(now=now, enqueue=lambda target_ids, eta: sent.append((target_ids, eta))) == 2
    assert dispatch_due(now=now, enqueue=lambda target_ids, eta: sent.append((target_ids, eta))) == 0
    # Ten seconds apart: two batches, each with the ETA of its first target.
    assert sent == [([overdue.id], None), ([soon.id], soon.next_attempt_at)]


def test_dispatch_batches_targets_due_together_and_each_is_published_at_its_own_time(mastodon_account, mastodon_fake, settings):
    settings.PUBLISH_BATCH_WINDOW_SECONDS = 0.5
    start = timezone.now() + timedelta(seconds=0.3)
    targets = [due_target(mastodon_account, f"batch {i}", at=start + timedelta(seconds=0.1 * i), dispatched=False) for i in range(8)]
    sent = []
    dispatch_due(enqueue=lambda target_ids, eta: sent.append((target_ids, eta)))
    assert [ids for ids, _ in sent] == [[t.id for t in targets[:5]], [t.id for t in targets[5:]]]
    from social_media.services.publishing import publish_batch

    outcomes = publish_batch(target_ids=sent[0][0])
    assert {o.status for o in outcomes.values()} == {Status.POSTED}
    for target in targets[:5]:  # how late is bench/punctuality.py's business; never early is the promise
        attempt = PublishAttempt.objects.get(target=target)
        assert attempt.started_at >= target.next_attempt_at
    assert sorted(p["text"] for p in mastodon_fake.posts) == [f"batch {i}" for i in range(5)]


def test_a_batch_hands_each_target_to_a_publish_thread_only_when_it_is_due(mastodon_account, mastodon_fake, monkeypatch):
    """A thread that sleeps until its target is due is a thread no due target of another batch can have
    (at 10,000 a minute the pool ran out that way): a batch claimed early keeps its targets until their
    second, then hands each over."""
    from social_media.services import publishing

    start = timezone.now() + timedelta(seconds=0.3)
    targets = [due_target(mastodon_account, f"in turn {i}", at=start + timedelta(seconds=0.25 * i)) for i in range(3)]
    handed = []
    pool = publishing.executor()

    class Recording:
        def submit(self, fn, target, *args):
            handed.append((timezone.now(), target))
            return pool.submit(fn, target, *args)

    monkeypatch.setattr(publishing, "executor", lambda: Recording())
    outcomes = publishing.publish_batch(target_ids=[t.id for t in targets])

    assert {o.status for o in outcomes.values()} == {Status.POSTED}
    assert [target.id for _, target in handed] == [t.id for t in targets]
    for at, target in handed:
        assert at >= target.next_attempt_at - timedelta(milliseconds=5), (at, target.next_attempt_at)


def test_a_verdict_is_written_only_while_the_claim_is_held_and_the_attempt_is_finished_either_way(mastodon_account, mastodon_fake):
    """The verdict and the attempt's finish are one statement; the verdict half still needs the claim.
    Here the sweeper has settled the target (unconfirmed) while its worker's call hung: the worker's
    late success finishes its attempt and leaves the sweeper's verdict alone."""
    import threading

    from django.db import connection

    target = due_target(mastodon_account, "Slow answer")
    release = threading.Event()
    mastodon_fake.fail_next("timeout", method="POST", path="/api/v1/statuses", release=release)
    def publish():
        try:
            target_publish(target_id=target.id)
        finally:
            connection.close()

    worker = threading.Thread(target=publish)
    worker.start()
    from tests.engine.processes import wait_until

    wait_until(lambda: PublishAttempt.objects.filter(target=target).exists() and mastodon_fake.requests, timeout=10)
    PostTarget.objects.filter(id=target.id).update(status=Status.UNCONFIRMED, error_message="Settled by the sweeper.")
    release.set()
    worker.join(timeout=30)

    target.refresh_from_db()
    assert (target.status, target.error_message, target.platform_post_id) == (Status.UNCONFIRMED, "Settled by the sweeper.", "")
    attempt = PublishAttempt.objects.get(target=target)
    assert attempt.outcome == PublishAttempt.Outcome.SUCCESS and attempt.finished_at >= attempt.started_at
    assert attempt.message.startswith(mastodon_fake.base_url)
