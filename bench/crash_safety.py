"""Crash safety: no duplicates and nothing left unresolved while workers and Redis die.

    python -m tests.services python bench/crash_safety.py [--network x|threads|reddit|linkedin|facebook|instagram]

Targets go to the fake X API (or, with --network, another network's fake set up by
bench/networks_<network>.py; Facebook and Instagram: bench/networks_meta.py), which has no idempotency
key, so a re-sent post would be a real duplicate. Instagram posts carry a stored JPEG that the Meta
fake downloads from the engine's signed URL, served by this process. Two runs:

* workers: N targets due over `--spread` seconds while a posting worker is killed with SIGKILL every
  `--kill-every` seconds and started again;
* redis: the same, but Redis (broker and cache) is killed with SIGKILL once mid-run and restarted
  empty (no persistence), losing every queued message. With `--broker rabbitmq` the broker is a
  private rabbitmq-server (tests/services.RabbitMQNode; Redis stays the cache) and this run stops and
  restarts RabbitMQ mid-run instead.

Reports duplicates on the network (goal 0), targets not settled when the run ends (goal 0), and how
long the sweeper took to settle everything.

With `--thread-parts N` (X only: no idempotency key, so the strictest case) every post is a thread of
N + 1 parts (docs/threads.md) and the report counts per part: parts sent twice or stored twice, and
parts lost (a posted target whose part is not on the network), each goal 0.
"""

import argparse
import importlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from datetime import datetime, timedelta, timezone

from common import percentile


class RedisServer:
    """A redis-server on a fixed loopback port that can be killed and started again, empty."""

    def __init__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.dir = tempfile.mkdtemp(prefix="bench-redis-")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis did not start")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"


def run(mode, args, redis):
    global restarts
    restarts = 0
    from django.core.management import call_command
    from django.db import connection

    from social_media.models import ConnectedAccount
    from social_media.services.ratelimit import _redis
    from tests.fakes.x_fake import XFake

    from common import make_due_targets

    call_command("flush", interactive=False, verbosity=0)
    _redis().flushall()
    from accounts.services import user_register

    owner = user_register(username="bench", email="bench@example.com", password="bench-password-123")
    if args.network != "x":
        return run_network(mode, args, redis, owner)
    fake = XFake(client_id="bench", client_secret="bench-secret")
    base_url = fake.start()
    if args.answer_delay:  # every post is stored at once and answered late: a kill then leaves it unrecorded
        fake.fail_next("timeout", times=10**9, path="/2/tweets", method="POST", delay=args.answer_delay)
    accounts = []
    for i in range(args.accounts):
        user = fake.add_user(f"crash{i}")
        tokens = fake.issue_tokens(user)
        accounts.append(ConnectedAccount(
            workspace=owner.personal_workspace, platform="x", platform_user_id=user.id, platform_username=user.username,
            access_token=tokens["access_token"], refresh_token=tokens["refresh_token"],
            token_expires_at=datetime.now(timezone.utc) + timedelta(hours=2),
        ))
    accounts = ConnectedAccount.objects.bulk_create(accounts)
    start = datetime.now(timezone.utc) + timedelta(seconds=args.lead)
    times = [start + timedelta(seconds=args.spread * i / args.targets) for i in range(args.targets)]
    make_due_targets(owner=owner, accounts=accounts, times=times, text=f"Crash test {mode}")
    if args.thread_parts:
        add_thread_parts(args.thread_parts)
    connection.close()
    try:
        result = chaos(mode, args, redis, start, times, {"X_API_BASE_URL": base_url, "X_CLIENT_ID": "bench", "X_CLIENT_SECRET": "bench-secret"})
    finally:
        fake.stop()
    stored, sends, arrival = {}, {}, {}
    for post in fake.posts:
        if not post.deleted:
            stored[post.text] = stored.get(post.text, 0) + 1
        at = post.created_at if post.created_at.tzinfo else post.created_at.replace(tzinfo=timezone.utc)
        arrival.setdefault(post.text, at)
    for request in fake.requests_to("/2/tweets", method="POST"):
        text = (request.json or {}).get("text")
        sends[text] = sends.get(text, 0) + 1
    report = summary(mode, args, result, stored, sends, arrival)
    if args.thread_parts:
        report.update(thread_summary(stored))
    return report


def add_thread_parts(parts):
    """Every post becomes a thread: `parts` more parts, each text unique (so a duplicate is visible)."""
    from social_media.models import Post, ThreadPart

    ThreadPart.objects.bulk_create(
        [ThreadPart(post_id=post_id, position=i, content=f"{content} · part {i + 1}")
         for post_id, content in Post.objects.values_list("id", "content") for i in range(1, parts + 1)],
        batch_size=2000,
    )


def thread_summary(stored):
    """Per part: how many the threads have, how many are on the network once, twice, or not at all
    though their target says posted, and how many our records (TargetPartPublication) hold."""
    from social_media.models import PostTarget, Status, TargetPartPublication, ThreadPart

    texts = {}
    for post_id, content in PostTarget.objects.filter(status=Status.POSTED).values_list("post_id", "post__content"):
        texts[post_id] = [content]
    for post_id, content in ThreadPart.objects.filter(post_id__in=list(texts)).order_by("position").values_list("post_id", "content"):
        texts[post_id].append(content)
    expected = [text for parts in texts.values() for text in parts]
    return {
        "thread_parts_per_post": 1 + max(ThreadPart.objects.values_list("position", flat=True), default=0),
        "parts_of_posted_threads": len(expected),
        "parts_stored_more_than_once": sum(1 for text in expected if stored.get(text, 0) > 1),
        "parts_lost": sum(1 for text in expected if stored.get(text, 0) == 0),
        "part_records": TargetPartPublication.objects.count(),
    }


# network -> "module:class" where it is not bench/networks_<network>.py's `Network`
NETWORK_CLASSES = {"facebook": "networks_meta:Network", "instagram": "networks_meta:Instagram"}
NETWORKS = ["x", "threads", "reddit", "linkedin", "facebook", "instagram"]


def run_network(mode, args, redis, owner):
    """The same run against bench/networks_<network>.py's fake: its `Network` starts the fake, makes
    the accounts and counts what the network stored and how often each post was sent (and, with an
    optional `details()`, adds network-specific counts to the summary)."""
    from django.db import connection

    from common import make_due_targets

    module, _, cls = NETWORK_CLASSES.get(args.network, f"networks_{args.network}:Network").partition(":")
    net = getattr(importlib.import_module(module), cls)()
    accounts = net.make_accounts(owner, args.accounts)
    start = datetime.now(timezone.utc) + timedelta(seconds=args.lead)
    times = [start + timedelta(seconds=args.spread * i / args.targets) for i in range(args.targets)]
    make_due_targets(owner=owner, accounts=accounts, times=times, text=f"Crash test {args.network} {mode}")
    net.prepare_targets()
    connection.close()
    try:
        result = chaos(mode, args, redis, start, times, net.env)
    finally:
        net.stop()
    stored, sends, arrival = net.stored(), net.sends(), net.arrivals()
    details = net.details() if hasattr(net, "details") else {}
    return {**summary(mode, args, result, stored, sends, arrival, network=args.network), **details}


def chaos(mode, args, redis, start, times, extra_env):
    """Workers and beat under SIGKILL (mode workers) or one Redis restart (mode redis); returns
    (worker kills, redis restarts, seconds until every target settled after the chaos)."""
    from social_media.models import PostTarget, Status
    from tests.engine.processes import start_beat, start_worker, stop, worker_env

    env = worker_env(
        PUBLISH_HEARTBEAT_SECONDS=5, PUBLISH_STUCK_AFTER_SECONDS=50, SWEEP_INTERVAL_SECONDS=5,
        DISPATCH_INTERVAL_SECONDS=1, PUBLISH_BACKOFF_BASE_SECONDS=2, **extra_env,
    )
    log = open(f"/tmp/bench-crash-{mode}.log", "wb")
    posting = [start_worker(queues="posting", concurrency=4, name=f"posting{i}", env=env, log=log) for i in range(2)]
    others = [start_worker(queues="default", concurrency=2, name="default", env=env, log=log), start_beat(env=env, log=log)]
    kills = redis_restarts = 0
    end_of_chaos = times[-1] + timedelta(seconds=2)
    settled_after = None
    try:
        next_kill = time.monotonic() + args.kill_every
        while datetime.now(timezone.utc) < end_of_chaos:
            if mode == "workers" and time.monotonic() >= next_kill:
                victim = kills % len(posting)
                posting[victim].send_signal(signal.SIGKILL)
                posting[victim].wait()
                posting[victim] = start_worker(queues="posting", concurrency=4, name=f"posting{victim}-{kills}", env=env, log=log)
                kills += 1
                next_kill = time.monotonic() + args.kill_every
            _restart_dead(posting, others, env, log)
            if mode == "redis" and not redis_restarts and datetime.now(timezone.utc) >= start + timedelta(seconds=args.spread / 2):
                if rabbitmq is not None:
                    rabbitmq.stop()
                    time.sleep(1)
                    rabbitmq.start()
                else:
                    redis.kill()
                    time.sleep(1)
                    redis.start()
                redis_restarts += 1
            time.sleep(0.2)
        chaos_over = time.monotonic()
        deadline = chaos_over + args.settle_timeout
        while time.monotonic() < deadline:
            _restart_dead(posting, others, env, log)
            if not PostTarget.objects.exclude(status__in=[Status.POSTED, Status.FAILED]).exists():
                settled_after = time.monotonic() - chaos_over
                break
            time.sleep(1)
    finally:
        for proc in posting + others:
            stop(proc)
    return kills, redis_restarts, settled_after


def summary(mode, args, result, stored, sends, arrival, network="x"):
    from social_media.models import PostTarget, Status

    kills, redis_restarts, settled_after = result
    statuses = {}
    for status in PostTarget.objects.values_list("status", flat=True):
        statuses[status] = statuses.get(status, 0) + 1
    late = []
    for content, scheduled in PostTarget.objects.values_list("post__content", "post__scheduled_time"):
        if content in arrival:
            late.append((arrival[content] - scheduled).total_seconds())
    return {
        "network": network, "broker": "rabbitmq" if rabbitmq is not None else "redis", "mode": mode, "targets": args.targets, "spread_s": args.spread, "worker_kills": kills,
        "redis_restarts": redis_restarts, "processes_restarted_by_supervisor": restarts, "statuses": statuses,
        "duplicates_on_network": sum(1 for count in stored.values() if count > 1),
        "posts_sent_more_than_once": sum(1 for count in sends.values() if count > 1),
        "unresolved_at_end": sum(v for k, v in statuses.items() if k not in (Status.POSTED, Status.FAILED)),
        "targets_claimed_more_than_once": PostTarget.objects.filter(retry_count__gt=1).count(),
        "all_settled_s_after_chaos": round(settled_after, 1) if settled_after is not None else None,
        "lateness_p50_s": round(percentile(late, 50), 3) if late else None,
        "lateness_p99_s": round(percentile(late, 99), 3) if late else None,
    }


def _restart_dead(posting, others, env, log):
    """What a process supervisor (docker compose `restart: unless-stopped`) does: start a dead one again."""
    from tests.engine.processes import start_beat, start_worker

    global restarts
    for i, proc in enumerate(posting):
        if proc.poll() is not None:
            posting[i] = start_worker(queues="posting", concurrency=4, name=f"posting{i}-r{restarts}", env=env, log=log)
            restarts += 1
    if others[0].poll() is not None:
        others[0] = start_worker(queues="default", concurrency=2, name=f"default-r{restarts}", env=env, log=log)
        restarts += 1
    if others[1].poll() is not None:
        others[1] = start_beat(env=env, log=log)
        restarts += 1


restarts = 0
rabbitmq = None  # the RabbitMQNode of --broker rabbitmq


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--spread", type=float, default=30)
    parser.add_argument("--lead", type=float, default=15)
    parser.add_argument("--kill-every", type=float, default=2)
    parser.add_argument("--settle-timeout", type=float, default=240)
    parser.add_argument("--mode", choices=["workers", "redis", "both"], default="both")
    parser.add_argument("--broker", choices=["redis", "rabbitmq"], default="redis",
                        help="rabbitmq: a private rabbitmq-server is the broker (Redis stays the cache); mode redis restarts it")
    parser.add_argument("--network", choices=NETWORKS, default="x",
                        help="x: the X fake (default); facebook, instagram: bench/networks_meta.py; others: bench/networks_<network>.py")
    parser.add_argument("--thread-parts", type=int, default=0,
                        help="make every post a thread of this many more parts (X only; docs/threads.md)")
    parser.add_argument("--answer-delay", type=float, default=0,
                        help="X: the fake stores each post at once and answers it this many seconds later")
    args = parser.parse_args()
    if args.thread_parts and args.network != "x":
        parser.error("--thread-parts runs on the X fake only (--network x)")
    redis = RedisServer()
    redis.start()
    os.environ["REDIS_URL"] = os.environ["CELERY_BROKER_URL"] = redis.url()
    global rabbitmq
    if args.broker == "rabbitmq":
        from tests.services import RabbitMQNode

        rabbitmq = RabbitMQNode().start()
        os.environ["CELERY_BROKER_URL"] = rabbitmq.url
    # The posts' media (Instagram) in a folder of this run's own, shared with the workers it starts.
    os.environ["MEDIA_ROOT"] = media_root = tempfile.mkdtemp(prefix="bench-crash-media-")
    from common import setup_django

    setup_django()
    try:
        for mode in (["workers", "redis"] if args.mode == "both" else [args.mode]):
            print(json.dumps(run(mode, args, redis)), flush=True)
    finally:
        redis.kill()
        if rabbitmq is not None:
            rabbitmq.close()
        shutil.rmtree(media_root, ignore_errors=True)


if __name__ == "__main__":
    main()
