"""Real claimers racing on PostgreSQL: "only one worker ever publishes a target".

Every thread has its own database connection, so the claims are concurrent PostgreSQL transactions
(SELECT ... FOR UPDATE, SKIP LOCKED in dispatch). The network is the X fake, which has no idempotency
key: a target published twice would be two posts there."""

import threading
from collections import Counter

import pytest
from django.db import connection

from social_media.models import PostTarget, PublishAttempt, Status
from social_media.services.publishing import dispatch_due, publish_batch
from tests.engine.conftest import due_target
from tests.platforms.conftest_x import make_x_account

pytestmark = pytest.mark.django_db(transaction=True)


def race(functions):
    """Run the functions in threads released at the same moment; returns their results in order."""
    barrier = threading.Barrier(len(functions))
    results, errors = [None] * len(functions), []

    def body(index, function):
        try:
            barrier.wait(timeout=30)
            results[index] = function()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
    return results


def posts_by_text(x_fake, accounts):
    ids = {account.platform_user_id for account in accounts}
    return Counter(post.text for post in x_fake.posts if post.author_id in ids and not post.deleted)


def test_claimers_racing_for_the_same_batch_publish_each_target_exactly_once(x_settings, x_fake):
    accounts = [make_x_account(x_fake) for _ in range(3)]
    targets = [due_target(accounts[i % 3], f"Race {i}") for i in range(15)]
    ids = [t.id for t in targets]
    outcomes = race([lambda: publish_batch(target_ids=ids) for _ in range(6)])

    claimed = Counter(target_id for outcome in outcomes for target_id in outcome)
    assert claimed == Counter(ids)  # every target claimed by exactly one of the six
    assert posts_by_text(x_fake, accounts) == Counter(f"Race {i}" for i in range(15))
    assert len(x_fake.requests_to("/2/tweets", method="POST")) == 15
    assert set(PostTarget.objects.filter(id__in=ids).values_list("status", flat=True)) == {Status.POSTED}
    verdicts = Counter(PublishAttempt.objects.filter(target_id__in=ids).values_list("target_id", flat=True))
    assert verdicts == Counter(ids)  # one attempt row (one verdict) per target
    assert set(PublishAttempt.objects.filter(target_id__in=ids).values_list("outcome", flat=True)) == {"success"}


def test_concurrent_dispatchers_hand_out_each_target_once_and_redelivered_batches_post_nothing_twice(x_settings, x_fake):
    accounts = [make_x_account(x_fake) for _ in range(2)]
    targets = [due_target(accounts[i % 2], f"Dispatched {i}", dispatched=False) for i in range(60)]
    sent, lock = [], threading.Lock()

    def collect(target_ids, eta):
        with lock:
            sent.append(list(target_ids))

    counts = race([lambda: dispatch_due(enqueue=collect) for _ in range(4)])
    handed_out = Counter(target_id for batch in sent for target_id in batch)
    assert sum(counts) == 60
    assert handed_out == Counter(t.id for t in targets)  # SKIP LOCKED: no target in two dispatches

    # Every batch delivered twice (a redelivery after a lost ack), all at once.
    outcomes = race([lambda batch=batch: publish_batch(target_ids=batch) for batch in sent + sent])
    claimed = Counter(target_id for outcome in outcomes for target_id in outcome)
    assert claimed == Counter(t.id for t in targets)
    assert posts_by_text(x_fake, accounts) == Counter(f"Dispatched {i}" for i in range(60))
    assert PublishAttempt.objects.filter(target__in=targets).count() == 60
