"""A 4-part thread end to end with real processes, on the reference Bluesky PDS and on mastodon-mock,
while the worker publishing it is SIGKILLed again and again: each part appears once, in order, as a
reply to the one before. (Meta's Threads network is tests/engine/test_threads_engine.py.)

Every create reaches the network through a fault proxy (tests/fakes/bluesky_fake.PdsFaultProxy, which
forwards any GET/POST) that stores it at once and answers only after a delay, so a kill right after a
part was recorded lands while the next part is stored on the network but not yet recorded by us: the
case a crash-safe engine must settle without sending that part again."""

import re
import signal
import tempfile
import types
from datetime import timedelta

import pytest
from django.utils import timezone

from social_media.models import PostTarget, Status, TargetPartPublication
from tests.engine.processes import start_beat, start_worker, stop, wait_ready, wait_until, worker_env
from tests.fakes.bluesky_fake import PdsFaultProxy
from tests.platforms.test_mastodon_contract import connect as connect_mastodon

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

TEXTS = ["🧵 1/4 A thread survives its workers", "2/4 killed mid-thread", "3/4 each part exactly once", "4/4 and in order"]
ANSWER_DELAY = 1.5  # seconds the proxies hold every create's answer (the part is already stored)


@pytest.fixture
def slow_proxies(bluesky_pds, mastodon_mock):
    pds_proxy, mastodon_proxy = PdsFaultProxy(bluesky_pds.base_url), PdsFaultProxy(mastodon_mock.base_url)
    pds_proxy.start()
    mastodon_proxy.start()
    pds_proxy.fail_next("timeout", times=1000, nsid="com.atproto.repo.createRecord", delay=ANSWER_DELAY)
    mastodon_proxy.fail_next("timeout", times=1000, nsid="statuses", delay=ANSWER_DELAY)  # POST /api/v1/statuses (and the timeline)
    yield pds_proxy, mastodon_proxy
    pds_proxy.stop()
    mastodon_proxy.stop()


def test_a_four_part_thread_appears_once_in_order_on_bluesky_and_mastodon_while_workers_are_sigkilled(
    auth_api, connect_bluesky, bluesky_pds, mastodon_mock, slow_proxies
):
    pds_proxy, mastodon_proxy = slow_proxies
    workspace = auth_api.user.personal_workspace
    bluesky = connect_bluesky(via=pds_proxy.base_url, workspace=workspace)
    mastodon_user = mastodon_mock.new_user()
    mastodon = connect_mastodon(types.SimpleNamespace(base_url=mastodon_proxy.base_url), mastodon_user)
    mastodon.workspace = workspace
    mastodon.save(update_fields=["workspace"])
    env = worker_env(
        PUBLISH_HEARTBEAT_SECONDS=1, PUBLISH_STUCK_AFTER_SECONDS=3, SWEEP_INTERVAL_SECONDS=1, DISPATCH_INTERVAL_SECONDS=1,
        PUBLISH_BACKOFF_BASE_SECONDS=1, PUBLISH_MAX_ATTEMPTS=20,
    )
    kills = 0
    logs = []

    def worker():
        log = tempfile.NamedTemporaryFile(prefix="celery-thread-worker-", suffix=".log")
        logs.append(log)
        proc = start_worker(concurrency=4, env=env, name=f"thread{len(logs)}", log=log, loglevel="INFO")
        wait_ready(log.name)
        return proc

    current, beat = worker(), start_beat(env=env)
    try:
        at = (timezone.now() + timedelta(seconds=10)).replace(microsecond=0)
        answer = auth_api.post("/api/v1/posts/", {
            "content": TEXTS[0], "target_accounts": [bluesky.id, mastodon.id], "scheduled_time": at.isoformat(),
            "thread": [{"content": text} for text in TEXTS[1:]],
        }, format="json")
        assert answer.status_code == 201, answer.content
        post_id = answer.json()["id"]
        recorded = TargetPartPublication.objects.filter(target__post_id=post_id)
        # Kill the worker each time another part was recorded, at most three times: it is then
        # waiting for the answer to the next part, which the network already stored.
        for threshold in (1, 3, 5):
            wait_until(lambda: recorded.count() >= threshold, timeout=120, interval=0.02)
            current.send_signal(signal.SIGKILL)
            current.wait()
            kills += 1
            if recorded.count() >= 2 * len(TEXTS):
                break
            current = worker()
        if current.poll() is not None:
            current = worker()
        wait_until(lambda: not PostTarget.objects.filter(post_id=post_id).exclude(status=Status.POSTED).exists(), timeout=240, interval=0.5)
    finally:
        for proc in (current, beat):
            stop(proc)
        for log in logs:
            log.close()

    assert kills >= 2
    creates = {"bluesky": len(pds_proxy.calls("com.atproto.repo.createRecord")),
               "mastodon": len([r for r in mastodon_proxy.calls("statuses") if r.method == "POST"])}
    attempts = dict(PostTarget.objects.filter(post_id=post_id).values_list("account__platform", "retry_count"))
    print(f"thread e2e: {kills} kills; creates sent {creates}; attempts {attempts}")
    # Bluesky: four records, each replying to the one before, under the head.
    records = sorted(bluesky_pds.list_posts(bluesky.platform_user_id), key=lambda r: r["uri"])
    assert [r["value"]["text"] for r in records] == TEXTS
    for before, part in zip(records, records[1:]):
        assert part["value"]["reply"]["parent"]["uri"] == before["uri"]
        assert part["value"]["reply"]["root"]["uri"] == records[0]["uri"]
    # Mastodon: four statuses, a reply chain.
    statuses = sorted(mastodon_mock.statuses_of(mastodon_user), key=lambda s: (s["created_at"], int(s["id"])))
    assert [re.sub(r"<[^>]+>", "", s["content"]) for s in statuses] == TEXTS
    assert [s["in_reply_to_id"] for s in statuses] == [None, *[s["id"] for s in statuses[:-1]]]
    assert len(statuses) == len(TEXTS)
    # Our records: one per part and target, the head being the target's post.
    for target in PostTarget.objects.filter(post_id=post_id):
        parts = list(TargetPartPublication.objects.filter(target=target).order_by("position"))
        assert [p.position for p in parts] == [0, 1, 2, 3]
        assert target.platform_post_id == parts[0].platform_post_id
    detail = auth_api.get(f"/api/v1/posts/{post_id}/").json()
    assert detail["status"] == "posted" and all(len(t["parts"]) == 4 for t in detail["targets"])
