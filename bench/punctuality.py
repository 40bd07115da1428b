"""Punctuality and throughput of the publishing engine on this machine.

    make bench            # = python -m tests.services python bench/punctuality.py

Real PostgreSQL + Redis + Celery worker processes + beat, against the fake Mastodon server with
100 ms of latency on every request. Two runs:

* spread: N targets due uniformly within one minute; lateness = when the network received the publish
  request minus the target's scheduled time (p50 / p99 / max).
* burst: N targets all due at the same second; throughput = N / (time until the last one was received).
* cold: the first posts after a fresh worker start, as their own figure, against later posts of the
  same worker, with and without WORKER_WARMUP in alternating rounds (bench/cold_start.py).

Options: --targets 10000 --accounts 500 --workers 2 --concurrency 8 --threads 64 --latency 0.1
         --mode all (spread, burst, cold) | both (spread, burst) | spread | burst | cold;  --rounds 6 (cold)
         --hog: a process spinning on one core runs beside the engine for the whole run (a noisy
         neighbour), for the quiet-vs-hogged figures side by side.
         --dump FILE: each target's due offset and lateness, one line each (where the tail comes from).
"""

import argparse
import json
import statistics
import time
from datetime import datetime, timedelta, timezone

import os
import subprocess
import sys

from cold_start import run_cold
from common import machine_busy_seconds, make_accounts, make_due_targets, percentile, process_cpu_seconds, rss_mb, setup_django


def run(mode, args):
    from django.db import connection
    from django_redis import get_redis_connection

    from django.db.models import F

    from social_media.models import Post, PostTarget, Status
    from tests.engine.processes import start_beat, start_worker, stop, wait_ready, worker_env
    from tests.fakes.mastodon_fake import MastodonFake

    setup_django_state()
    fake = MastodonFake(max_characters=500)
    fake.latency = args.latency
    base_url = fake.start()
    remote = [fake.add_account(f"bench{i}") for i in range(args.accounts)]
    owner, accounts = make_accounts(
        platform="mastodon", count=args.accounts, base_url=base_url,
        tokens=[token for _, token in remote], user_ids=[a["id"] for a, _ in remote], usernames=[a["username"] for a, _ in remote],
    )
    # Made due an hour out (nothing is dispatched), and moved to `lead` seconds from the moment every
    # worker is ready: the run measures a started engine under load; --mode cold measures a start.
    start = datetime.now(timezone.utc) + timedelta(hours=1)
    if mode == "spread":
        times = [start + timedelta(seconds=60 * i / args.targets) for i in range(args.targets)]
    else:
        times = [start] * args.targets
    make_due_targets(owner=owner, accounts=accounts, times=times)

    env = worker_env(CELERY_TASK_TIME_LIMIT=60, DISPATCH_LOOKAHEAD_SECONDS=10, DISPATCH_INTERVAL_SECONDS=1,
                     PUBLISH_THREADS=args.threads)
    log = open(f"/tmp/bench-{mode}.log", "wb")
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.hog else None
    worker_logs = [open(f"/tmp/bench-{mode}-posting{i}.log", "wb") for i in range(args.workers)]
    # INFO, as docker-compose runs them: a line per task and per attempt is part of a post's cost.
    procs = [start_worker(queues="posting", concurrency=args.concurrency, name=f"posting{i}", env=env, log=worker_logs[i], loglevel="INFO")
             for i in range(args.workers)]
    procs.append(start_worker(queues="default", concurrency=2, name="default", env=env, log=log))
    procs.append(start_beat(env=env, log=log))
    for worker_log in worker_logs:
        wait_ready(worker_log.name)
    shift = datetime.now(timezone.utc) + timedelta(seconds=args.lead) - start
    PostTarget.objects.update(next_attempt_at=F("next_attempt_at") + shift)
    Post.objects.update(scheduled_time=F("scheduled_time") + shift)
    times = [at + shift for at in times]
    connection.close()
    deadline = times[-1] + timedelta(seconds=args.timeout)
    peak_rss = 0.0
    busy_start, bench_cpu_start = machine_busy_seconds(), process_cpu_seconds(os.getpid())
    workers_cpu_start = sum(process_cpu_seconds(p.pid) for p in procs[: args.workers])  # their start-up is not a post's cost
    try:
        while datetime.now(timezone.utc) < deadline:
            peak_rss = max(peak_rss, sum(rss_mb(p.pid) for p in procs))
            pending = PostTarget.objects.exclude(status__in=[Status.POSTED, Status.FAILED, Status.UNCONFIRMED]).count()
            if pending == 0:
                break
            time.sleep(1)
        cpu = {
            "machine_busy_s": round(machine_busy_seconds() - busy_start, 1),
            "posting_workers_s": round(sum(process_cpu_seconds(p.pid) for p in procs[: args.workers]) - workers_cpu_start, 1),
            "fake_network_and_bench_s": round(process_cpu_seconds(os.getpid()) - bench_cpu_start, 1),
        }
    finally:
        for proc in procs:
            stop(proc)
        if hog:
            hog.kill()
            hog.wait()

    # When the network call reached the network: the fake stamps each request as it arrives.
    arrival = {}
    for request in fake.requests:
        if request.method == "POST" and request.path == "/api/v1/statuses":
            text = (request.form.get("status") or [None])[0] if request.form else (request.json or {}).get("status")
            arrival.setdefault(text, datetime.fromtimestamp(request.received_at, timezone.utc))
    rows = list(PostTarget.objects.values_list("status", "post__content", "next_attempt_at", "post__scheduled_time"))
    late = [(arrival[content] - scheduled).total_seconds() for status, content, _n, scheduled in rows if content in arrival]
    if args.dump:  # one line per target: seconds after the first due time, lateness (for a plot or a look at the tail)
        with open(args.dump, "w") as out:
            for _status, content, _n, scheduled in sorted(rows, key=lambda row: row[3]):
                if content in arrival:
                    out.write(f"{(scheduled - times[0]).total_seconds():.3f} {(arrival[content] - scheduled).total_seconds():.3f}\n")
    statuses = {}
    for status, *_ in rows:
        statuses[status] = statuses.get(status, 0) + 1
    duplicates = sum(1 for count in _text_counts(fake.posts).values() if count > 1)
    result = {
        "mode": mode, "targets": args.targets, "accounts": args.accounts, "latency_ms": int(args.latency * 1000),
        "posting_workers": args.workers, "celery_threads_per_worker": args.concurrency, "publish_threads_per_worker": args.threads,
        "statuses": statuses, "duplicates_on_network": duplicates,
        "lateness_p50_s": round(percentile(late, 50), 3), "lateness_p99_s": round(percentile(late, 99), 3),
        "lateness_max_s": round(max(late), 3) if late else None,
        "lateness_mean_s": round(statistics.mean(late), 3) if late else None,
        "peak_rss_mb_all_celery_processes": round(peak_rss), "cpu_seconds": cpu, "hog": bool(args.hog),
        "posting_worker_cpu_ms_per_post": round(1000 * cpu["posting_workers_s"] / max(len(late), 1), 2),
    }
    if late:
        span = (max(arrival.values()) - min(times)).total_seconds()
        result["throughput_targets_per_s"] = round(len(late) / max(span, 0.001), 1)
    fake.stop()
    get_redis_connection("default").flushall()
    return result


def _text_counts(posts):
    counts = {}
    for post in posts:
        counts[post["text"]] = counts.get(post["text"], 0) + 1
    return counts


def setup_django_state():
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", type=int, default=10000)
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8, help="Celery threads per posting worker (batches in flight)")
    parser.add_argument("--threads", type=int, default=64, help="PUBLISH_THREADS: network calls in flight per worker")
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--lead", type=float, default=5, help="seconds between the workers being ready and the first due time")
    parser.add_argument("--timeout", type=float, default=180)
    parser.add_argument("--mode", choices=["spread", "burst", "cold", "both", "all"], default="all")
    parser.add_argument("--hog", action="store_true", help="spin one core beside the run")
    parser.add_argument("--dump", help="write each target's due offset and lateness to this file")
    parser.add_argument("--rounds", type=int, default=6, help="cold mode: worker starts, alternating warm-up off/on")
    args = parser.parse_args()
    setup_django()
    modes = {"both": ["spread", "burst"], "all": ["spread", "burst", "cold"]}.get(args.mode, [args.mode])
    for mode in modes:
        result = run_cold(args) if mode == "cold" else run(mode, args)
        result["load_average"] = os.getloadavg()
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
