"""Lateness of the first posts after a cold worker start (`bench/punctuality.py --mode cold`).

Each round starts a fresh posting worker process, waits until it reports ready, then schedules two
targets (one on the reference Bluesky PDS, one on the fake Mastodon server) due 2 s later: the
worker's *first* posts; and two more due 4 s after those: *later* posts of the same, now warm, worker.
Rounds alternate WORKER_WARMUP=0 / 1 (A B A B), so the baseline is measured in the same run.

Lateness: Mastodon - when the fake received the publish request minus the scheduled time; Bluesky -
the record's createdAt (set by the adapter just before its createRecord call, after the adapter was
imported) minus the scheduled time.
"""

import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from common import make_accounts, percentile


def _bluesky_account(pds, owner):
    from social_media.models import ConnectedAccount
    from social_media.platforms.bluesky import BlueskyAdapter

    remote = pds.create_account()
    profile = BlueskyAdapter.connect_with_password(identifier=remote.handle, password=remote.app_password, service_url=pds.base_url)
    return ConnectedAccount.objects.create(
        workspace=owner.personal_workspace, platform="bluesky", platform_user_id=profile.platform_user_id,
        platform_username=profile.platform_username, access_token=profile.tokens.access_token,
        refresh_token=profile.tokens.refresh_token, token_expires_at=profile.tokens.expires_at,
        instance_url=profile.instance_url, platform_settings=profile.platform_settings,
    )


def _schedule(owner, account, text, at):
    from social_media.models import Post, PostTarget, Status

    post = Post.objects.create(workspace=owner.personal_workspace, author=owner, content=text, status=Status.SCHEDULED, scheduled_time=at)
    return PostTarget.objects.create(post=post, account=account, status=Status.SCHEDULED, next_attempt_at=at)


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} within {timeout}s")


def _stats(values):
    return {"n": len(values), "median_s": round(statistics.median(values), 3), "p99_s": round(percentile(values, 99), 3),
            "max_s": round(max(values), 3)} if values else {"n": 0}


def run_cold(args):
    from django.db import connection

    from social_media.models import PostTarget, Status
    from social_media.services.publishing import dispatch_due
    from tests.engine.processes import start_worker, stop, worker_env
    from tests.fakes.mastodon_fake import MastodonFake
    from tests.fakes.pds import PdsServer

    pds = PdsServer()
    pds.start()
    fake = MastodonFake(max_characters=500)
    fake.latency = args.latency
    base_url = fake.start()
    remote, token = fake.add_account("cold")
    owner, (mastodon,) = make_accounts(platform="mastodon", count=1, base_url=base_url, tokens=[token], user_ids=[remote["id"]],
                                       usernames=[remote["username"]])
    bluesky = _bluesky_account(pds, owner)
    late = {warm: {"first": [], "later": []} for warm in ("off", "on")}
    startup = {"off": [], "on": []}
    logs = Path(tempfile.mkdtemp(prefix="bench-cold-"))
    try:
        for round_no in range(args.rounds):
            warm = "on" if round_no % 2 else "off"
            log_path = logs / f"round{round_no}.log"
            env = worker_env(WORKER_WARMUP=int(warm == "on"), PUBLISH_THREADS=args.threads, DISPATCH_LOOKAHEAD_SECONDS=10)
            connection.close()
            started = time.monotonic()
            with open(log_path, "wb") as log:
                worker = start_worker(queues="posting", concurrency=args.concurrency, name=f"cold{round_no}", env=env, log=log, loglevel="INFO")
            try:
                _wait(lambda: b" ready." in log_path.read_bytes(), 120, "the worker did not become ready")
                startup[warm].append(time.monotonic() - started)
                first_at = datetime.now(timezone.utc) + timedelta(seconds=2)
                later_at = first_at + timedelta(seconds=4)
                rows = {}
                for label, at in (("first", first_at), ("later", later_at)):
                    for account in (bluesky, mastodon):
                        text = f"cold {round_no} {label} {account.platform}"
                        rows[text] = (label, account.platform, at, _schedule(owner, account, text, at).id)
                dispatch_due()
                ids = [target_id for *_rest, target_id in rows.values()]
                _wait(lambda: PostTarget.objects.filter(id__in=ids, status=Status.POSTED).count() == len(ids), 60, "posts not published")
            finally:
                stop(worker)
            received = {}
            for request in fake.requests:
                if request.method == "POST" and request.path == "/api/v1/statuses":
                    text = (request.form.get("status") or [None])[0] if request.form else (request.json or {}).get("status")
                    received.setdefault(text, datetime.fromtimestamp(request.received_at, timezone.utc))
            for record in pds.list_posts(bluesky.platform_user_id):
                value = record["value"]
                received.setdefault(value["text"], datetime.fromisoformat(value["createdAt"].replace("Z", "+00:00")))
            for text, (label, _platform, at, _id) in rows.items():
                late[warm][label].append((received[text] - at).total_seconds())
    finally:
        fake.stop()
        pds.stop()
    return {
        "mode": "cold", "rounds": args.rounds, "latency_ms": int(args.latency * 1000),
        "note": "first = the first posts (Bluesky + Mastodon) after a fresh posting worker reported ready; later = 4 s after, same worker",
        "warmup_off": {"first_post_lateness": _stats(late["off"]["first"]), "later_post_lateness": _stats(late["off"]["later"]),
                       "worker_start_to_ready_s": round(statistics.median(startup["off"]), 1) if startup["off"] else None},
        "warmup_on": {"first_post_lateness": _stats(late["on"]["first"]), "later_post_lateness": _stats(late["on"]["later"]),
                      "worker_start_to_ready_s": round(statistics.median(startup["on"]), 1) if startup["on"] else None},
    }
