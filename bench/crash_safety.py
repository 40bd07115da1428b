"""Crash safety: no duplicates and nothing left unresolved while workers and Redis die.

    python -m tests.services python bench/crash_safety.py

Targets go to the fake X API (`--network facebook`: the Meta fake's Pages, bench/networks_meta.py),
which has no idempotency key, so a re-sent post would be a real duplicate. Two runs:

* workers: N targets due over `--spread` seconds while a posting worker is killed with SIGKILL every
  `--kill-every` seconds and started again;
* redis: the same, but Redis (broker and cache) is killed with SIGKILL once mid-run and restarted
  empty (no persistence), losing every queued message.

Reports duplicates on the network (goal 0), targets not settled when the run ends (goal 0), and how
long the sweeper took to settle everything.
"""

import argparse
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


class XNetwork:
    """The fake X API; other networks' set-up lives in bench/networks_<network>.py (same methods)."""

    name = "x"

    def start(self, owner, count):
        from social_media.models import ConnectedAccount
        from tests.fakes.x_fake import XFake

        self.fake = XFake(client_id="bench", client_secret="bench-secret")
        base_url = self.fake.start()
        accounts = []
        for i in range(count):
            user = self.fake.add_user(f"crash{i}")
            tokens = self.fake.issue_tokens(user)
            accounts.append(ConnectedAccount(
                workspace=owner.personal_workspace, platform="x", platform_user_id=user.id, platform_username=user.username,
                access_token=tokens["access_token"], refresh_token=tokens["refresh_token"],
                token_expires_at=datetime.now(timezone.utc) + timedelta(hours=2),
            ))
        env = {"X_API_BASE_URL": base_url, "X_CLIENT_ID": "bench", "X_CLIENT_SECRET": "bench-secret"}
        return ConnectedAccount.objects.bulk_create(accounts), env

    def sends(self):
        counts = {}
        for request in self.fake.requests_to("/2/tweets", method="POST"):
            text = (request.json or {}).get("text")
            counts[text] = counts.get(text, 0) + 1
        return counts

    def stored(self):
        counts = {}
        for post in self.fake.posts:
            if not post.deleted:
                counts[post.text] = counts.get(post.text, 0) + 1
        return counts

    def arrivals(self):
        first = {}
        for post in self.fake.posts:
            first.setdefault(post.text, post.created_at if post.created_at.tzinfo else post.created_at.replace(tzinfo=timezone.utc))
        return first

    def stop(self):
        self.fake.stop()


def network_for(name):
    if name == "x":
        return XNetwork()
    from networks_meta import FacebookNetwork

    return {"facebook": FacebookNetwork}[name]()


def run(mode, args, redis):
    global restarts
    restarts = 0
    from django.core.management import call_command
    from django.db import connection

    from social_media.models import PostTarget, Status
    from social_media.services.ratelimit import _redis
    from tests.engine.processes import start_beat, start_worker, stop, worker_env

    from common import make_due_targets

    call_command("flush", interactive=False, verbosity=0)
    _redis().flushall()
    from accounts.services import user_register

    owner = user_register(username="bench", email="bench@example.com", password="bench-password-123")
    network = network_for(args.network)
    accounts, network_env = network.start(owner, args.accounts)
    start = datetime.now(timezone.utc) + timedelta(seconds=args.lead)
    times = [start + timedelta(seconds=args.spread * i / args.targets) for i in range(args.targets)]
    make_due_targets(owner=owner, accounts=accounts, times=times, text=f"Crash test {mode}")
    connection.close()

    env = worker_env(
        **network_env,
        PUBLISH_HEARTBEAT_SECONDS=5, PUBLISH_STUCK_AFTER_SECONDS=50, SWEEP_INTERVAL_SECONDS=5,
        DISPATCH_INTERVAL_SECONDS=1, PUBLISH_BACKOFF_BASE_SECONDS=2,
    )
    log = open(f"/tmp/bench-crash-{mode}.log", "wb")
    posting = [start_worker(queues="posting", concurrency=4, name=f"posting{i}", env=env, log=log) for i in range(2)]
    others = [start_worker(queues="default", concurrency=2, name="default", env=env, log=log), start_beat(env=env, log=log)]
    kills = redis_restarts = 0
    end_of_chaos = times[-1] + timedelta(seconds=2)
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
                redis.kill()
                time.sleep(1)
                redis.start()
                redis_restarts += 1
            time.sleep(0.2)
        chaos_over = time.monotonic()
        settled_after = None
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

    statuses = {}
    for status in PostTarget.objects.values_list("status", flat=True):
        statuses[status] = statuses.get(status, 0) + 1
    stored, sends, arrival = network.stored(), network.sends(), network.arrivals()
    late = []
    for content, scheduled in PostTarget.objects.values_list("post__content", "post__scheduled_time"):
        if content in arrival:
            late.append((arrival[content] - scheduled).total_seconds())
    network.stop()
    return {
        "network": network.name, "mode": mode, "targets": args.targets, "spread_s": args.spread, "worker_kills": kills, "redis_restarts": redis_restarts,
        "processes_restarted_by_supervisor": restarts,
        "statuses": statuses,
        "duplicates_on_network": sum(1 for count in stored.values() if count > 1),
        "posts_sent_more_than_once": sum(1 for count in sends.values() if count > 1),
        "unresolved_at_end": sum(v for k, v in statuses.items() if k not in (Status.POSTED, Status.FAILED)),
        "all_settled_s_after_chaos": round(settled_after, 1) if settled_after is not None else None,
        "lateness_p50_s": round(percentile(late, 50), 3), "lateness_p99_s": round(percentile(late, 99), 3),
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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--spread", type=float, default=30)
    parser.add_argument("--lead", type=float, default=15)
    parser.add_argument("--kill-every", type=float, default=2)
    parser.add_argument("--settle-timeout", type=float, default=240)
    parser.add_argument("--mode", choices=["workers", "redis", "both"], default="both")
    parser.add_argument("--network", choices=["x", "facebook"], default="x", help="whose fake receives the posts")
    args = parser.parse_args()
    redis = RedisServer()
    redis.start()
    os.environ["REDIS_URL"] = os.environ["CELERY_BROKER_URL"] = redis.url()
    from common import setup_django

    setup_django()
    for mode in (["workers", "redis"] if args.mode == "both" else [args.mode]):
        print(json.dumps(run(mode, args, redis)), flush=True)
    redis.kill()


if __name__ == "__main__":
    main()
