"""The engine on RabbitMQ, as on Redis: beat dispatches due targets to a real worker over AMQP and each
is published exactly once, also when a worker is SIGKILLed mid-run and the broker restarts.

RabbitMQ's own semantics (docs/operations.md "RabbitMQ"): a worker holds ETA messages unacknowledged
(prefetch) until their time, and the broker's consumer_timeout (30 min by default) would redeliver them
after that; the dispatcher's look-ahead (DISPATCH_LOOKAHEAD_SECONDS, 10 s) keeps every ETA far inside it.
Celery's queues are durable and its messages persistent, so a broker restart keeps what was queued;
the engine's compare-and-set claim makes any redelivery harmless."""

import signal
import tempfile
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from social_media.models import PostTarget, Status
from tests.engine.conftest import due_target
from tests.engine.processes import start_beat, start_worker, stop, wait_ready, wait_until, worker_env
from tests.factories import ConnectedAccountFactory
from tests.services import RabbitMQNode

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


@pytest.fixture(scope="module")
def rabbitmq():
    node = RabbitMQNode().start()
    yield node
    node.close()


def _accounts(mastodon_fake, workspace=None, n=3):
    accounts = []
    for i in range(n):
        remote, token = mastodon_fake.add_account(f"rmq{i}-{time.monotonic_ns()}")
        kwargs = {"workspace": workspace} if workspace else {}
        accounts.append(ConnectedAccountFactory(platform="mastodon", platform_user_id=remote["id"], platform_username=remote["username"],
                                                access_token=token, instance_url=mastodon_fake.base_url, **kwargs))
        workspace = accounts[0].workspace
    return accounts


def _fast_sweeper(seconds=3):
    """The sweeper every few seconds (beat reads its interval from the tables), so a killed worker's
    claims are settled within the test."""
    every, _ = IntervalSchedule.objects.get_or_create(every=seconds, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.filter(task="social_media.tasks.sweep_task").update(interval=every)


def _posted_texts(mastodon_fake):
    return Counter(post["text"] for post in mastodon_fake.posts)


def _log():
    return tempfile.NamedTemporaryFile(prefix="celery-rmq-", suffix=".log")


def test_due_posts_go_out_once_through_beat_and_a_worker_on_rabbitmq(rabbitmq, mastodon_fake):
    accounts = _accounts(mastodon_fake)
    now = timezone.now()
    texts = [f"On RabbitMQ {i}" for i in range(12)]
    targets = [due_target(accounts[i % 3], text, at=now + timedelta(seconds=2 + i % 4), dispatched=False) for i, text in enumerate(texts)]
    env = worker_env(CELERY_BROKER_URL=rabbitmq.url)
    with _log() as log:
        worker, beat = start_worker(env=env, log=log, loglevel="INFO"), start_beat(env=env)
        try:
            wait_ready(log.name)
            wait_until(lambda: PostTarget.objects.filter(id__in=[t.id for t in targets], status=Status.POSTED).count() == len(targets), timeout=90)
        finally:
            stop(worker), stop(beat)
    assert _posted_texts(mastodon_fake) == Counter(texts)
    for target in PostTarget.objects.filter(id__in=[t.id for t in targets]):
        assert target.attempts.count() == 1
        late = (target.posted_at - target.next_attempt_at).total_seconds()
        assert late < 30, f"target {target.id} went out {late:.1f} s late"


def test_a_killed_worker_and_a_restarted_broker_lose_and_duplicate_nothing(rabbitmq, mastodon_fake, settings):
    accounts = _accounts(mastodon_fake)
    _fast_sweeper()
    now = timezone.now()
    texts = [f"Survives {i}" for i in range(24)]
    ids = [due_target(accounts[i % 3], text, at=now + timedelta(seconds=3 + i // 2), dispatched=False).id for i, text in enumerate(texts)]
    env = worker_env(CELERY_BROKER_URL=rabbitmq.url, PUBLISH_STUCK_AFTER_SECONDS=6, PUBLISH_HEARTBEAT_SECONDS=1)
    processes = []
    with _log() as first_log, _log() as second_log:
        try:
            first = start_worker(env=env, log=first_log, loglevel="INFO", name="first")
            beat = start_beat(env=env)
            processes += [first, beat]
            wait_ready(first_log.name)
            wait_until(lambda: PostTarget.objects.filter(id__in=ids, status=Status.POSTED).exists(), timeout=60)
            first.send_signal(signal.SIGKILL)  # mid-run: claimed and prefetched messages die with it
            first.wait(10)
            rabbitmq.stop()  # and the broker goes away while targets are still due
            time.sleep(2)
            rabbitmq.start()
            second = start_worker(env=env, log=second_log, loglevel="INFO", name="second")
            processes.append(second)
            wait_ready(second_log.name)
            wait_until(lambda: PostTarget.objects.filter(id__in=ids, status=Status.POSTED).count() == len(ids), timeout=150)
        finally:
            for proc in processes:
                stop(proc)
    assert _posted_texts(mastodon_fake) == Counter(texts)  # each exactly once: none lost, none twice
