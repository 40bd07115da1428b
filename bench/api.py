"""API speed: each read endpoint against a bare JSON view and a hand-written equivalent, side by side.

    python -m tests.services python bench/api.py [--duration 8] [--rounds 2]     (make bench-api)

Seeds one workspace (240 posts x 3 targets x 2 media, an attempt and analytics per target, 5 snapshots
per target, 5 queues over 24 accounts), serves the project with the production gunicorn config
(config/gunicorn.conf.py, 2 sync workers, DEBUG off) and loads it with wrk (-t2 -c50), alternating
A B C A B C: the bare view of the same size (the ceiling), the hand-written view (the same queries and the
same JSON in plain Python; see bench/handwritten.py) and the endpoint. Before loading, it checks that the
hand-written body equals the endpoint's byte for byte. Post bodies are held between requests
(social_media/api/body_cache.py) as in production, so a repeated page is served from what is held;
"post list (20) with nothing held" runs on a second server with POST_BODY_CACHE_SECONDS=0: what a page
costs when every post on it has changed since it was last read.

Per endpoint it reports requests/s, p50/p99 latency, the ratios, queries per request, in-process CPU
per request (Django test client in this process, median of repeated runs) and, under load, the CPU
per request of the gunicorn workers and of PostgreSQL (from /proc: where the 2 cores went); plus the
framework's own overhead (an authenticated, permission-checked, paginated empty list minus the
hand-written empty list with the same queries, and minus a bare view), and the machine's load.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.api_settings"
os.environ.setdefault("JWT_ACCESS_MINUTES", "600")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import ROOT, cpu_seconds_by_program, machine_busy_seconds, setup_django  # noqa: E402

ACCOUNTS, POSTS, QUEUES = 24, 240, 5
SIGNED = re.compile(rb"/media/public/[^/\"]+/")


def seed():
    from accounts.services import user_register
    from analytics.models import AnalyticsSnapshot, PostAnalytics
    from media.models import MediaFile
    from social_media.models import ConnectedAccount, Post, PostMedia, PostQueue, PostTarget, PublishAttempt, QueuedPost, Status

    owner = user_register(username="apibench", email="apibench@example.com", password="bench-password-123")
    workspace = owner.personal_workspace
    workspace.plan = "enterprise"
    workspace.save()
    platforms = ["x", "bluesky", "mastodon"]
    accounts = ConnectedAccount.objects.bulk_create([
        ConnectedAccount(
            workspace=workspace, platform=platforms[i % 3], platform_user_id=f"u{i}", platform_username=f"user{i}",
            access_token=f"access-token-{i}", refresh_token=f"refresh-token-{i}", instance_url="https://example.social",
            platform_settings={"max_characters": 500, "max_media_attachments": 4},
        )
        for i in range(ACCOUNTS)
    ])
    media = MediaFile.objects.bulk_create([
        MediaFile(workspace=workspace, uploaded_by=owner, media_type="image", original_filename=f"photo{i}.jpg",
                  file=f"workspaces/{workspace.id}/photo{i}.jpg", file_size=123456 + i, mime_type="image/jpeg",
                  width=1200, height=800, alt_text=f"A photo number {i}")
        for i in range(40)
    ])
    now = datetime.now(timezone.utc)
    posts = Post.objects.bulk_create([
        Post(workspace=workspace, author=owner, content=f"Post {i}: shipping something nice today #launch https://example.com/{i}",
             status=Status.POSTED if i % 2 else Status.SCHEDULED,
             scheduled_time=now + timedelta(hours=i - POSTS // 2), posted_at=now - timedelta(hours=i) if i % 2 else None)
        for i in range(POSTS)
    ])
    PostMedia.objects.bulk_create([PostMedia(post=post, media=media[(i * 2 + k) % 40], order=k) for i, post in enumerate(posts) for k in range(2)])
    targets = PostTarget.objects.bulk_create([
        PostTarget(post=post, account=accounts[(i * 3 + k) % ACCOUNTS], status=post.status,
                   platform_post_id=f"p{i}-{k}" if post.status == Status.POSTED else "",
                   platform_post_url=f"https://example.social/@u/{i}{k}" if post.status == Status.POSTED else "",
                   retry_count=1, last_attempt_at=now, next_attempt_at=post.scheduled_time, posted_at=post.posted_at)
        for i, post in enumerate(posts) for k in range(3)
    ])
    PublishAttempt.objects.bulk_create([
        PublishAttempt(target=t, attempt_number=1, started_at=now, finished_at=now, outcome="success", message="ok") for t in targets
    ])
    PostAnalytics.objects.bulk_create([
        PostAnalytics(target=t, likes=i % 50, reposts=i % 7, replies=i % 5, impressions=i * 10, platform_metrics={"bookmarks": i % 3})
        for i, t in enumerate(targets)
    ])
    AnalyticsSnapshot.objects.bulk_create([
        AnalyticsSnapshot(target=t, snapshot_data={"likes": k, "reposts": k // 2}) for t in targets[:60] for k in range(5)
    ])
    scheduled = [p for p in posts if p.status == Status.SCHEDULED]
    for q in range(QUEUES):
        queue = PostQueue.objects.create(workspace=workspace, name=f"Queue {q}", timezone="Europe/Berlin",
                                         posting_schedule={"monday": ["09:00", "15:00"], "thursday": ["10:30"]})
        queue.target_accounts.set(accounts)
        QueuedPost.objects.bulk_create([QueuedPost(queue=queue, post=p, position=k) for k, p in enumerate(scheduled[q * 10:(q + 1) * 10])])
    newcomer = user_register(username="apibench-empty", email="apibench-empty@example.com", password="bench-password-123")
    newcomer.personal_workspace.plan = "enterprise"
    newcomer.personal_workspace.save()
    owner.empty_headers = {"Authorization": f"Bearer {token_for(newcomer)}", "X-Workspace": str(newcomer.personal_workspace.id)}
    return owner, workspace, posts  # owner.empty_headers: the framework probe's empty list


def token_for(user):
    from rest_framework_simplejwt.tokens import RefreshToken

    return str(RefreshToken.for_user(user).access_token)


def start_gunicorn(port, **settings):
    env = dict(os.environ, PORT=str(port), WEB_CONCURRENCY="2", DEBUG="0", DJANGO_SETTINGS_MODULE="bench.api_settings", PYTHONPATH=str(ROOT), **settings)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "config.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    import requests

    deadline = time.monotonic() + 180  # a loaded machine boots Django slowly
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/health/", timeout=5)
            return proc
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def wrk(url, headers, duration, connections=50):
    """(req/s, p50 ms, p99 ms, {program: CPU ms per request}) of `duration` seconds of load."""
    before = cpu_seconds_by_program()
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "30s"]  # slow answers count, not time out
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    after = cpu_seconds_by_program()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests_done = int(re.search(r"(\d+) requests in", out).group(1))
    cpu = {program: (after[program] - before[program]) * 1000 / requests_done for program in after}

    def latency(pct):
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"{url}: {non2xx.group(1)} error responses under load")
    return rps, latency(50), latency(99), cpu


def in_process(path, headers, repeat=60):
    """(queries per request, median CPU ms per request) through the Django test client in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(**{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    client.get(path)  # warm
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    queries = len(ctx.captured_queries)  # now: the next request clears the connection's query log
    samples = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(repeat // 5):
            client.get(path)
        samples.append((time.process_time() - start) / (repeat // 5) * 1000)
    return queries, statistics.median(samples)


STAGES = (
    ("authentication (JWT, membership row)", "rest_framework.views", "APIView", "perform_authentication"),
    ("permission", "rest_framework.views", "APIView", "check_permissions"),
    ("plan throttle (Redis)", "rest_framework.views", "APIView", "check_throttles"),
    ("content negotiation", "rest_framework.views", "APIView", "perform_content_negotiation"),
    ("filter backends", "rest_framework.generics", "GenericAPIView", "filter_queryset"),
    ("pagination (the page query)", "rest_framework.generics", "GenericAPIView", "paginate_queryset"),
    ("paginated response", "rest_framework.generics", "GenericAPIView", "get_paginated_response"),
    ("whole view (DRF dispatch)", "rest_framework.views", "APIView", "dispatch"),
)


def stages(path, headers, repeat=300):
    """In-process CPU ms per request of each stage DRF runs for `path` (the methods in STAGES, timed
    around their calls for `repeat` requests, then put back), and of the whole request."""
    import importlib

    from django.test import Client

    spent = dict.fromkeys((name for name, *_ in STAGES), 0.0)
    originals = []
    for name, module, cls_name, method in STAGES:
        cls = getattr(importlib.import_module(module), cls_name)
        original = cls.__dict__[method]

        def timed(*args, _original=original, _name=name, **kwargs):
            start = time.process_time()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_name] += time.process_time() - start

        originals.append((cls, method, original))
        setattr(cls, method, timed)
    client = Client(**{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    try:
        client.get(path)
        spent.update(dict.fromkeys(spent, 0.0))
        start = time.process_time()
        for _ in range(repeat):
            client.get(path)
        whole = time.process_time() - start
    finally:
        for cls, method, original in originals:
            setattr(cls, method, original)
    return {name: value * 1000 / repeat for name, value in spent.items()}, whole * 1000 / repeat


def profile(name, path, headers, repeat=40, sort="tottime"):
    """Where an endpoint's in-process time goes: cProfile of `repeat` requests, top functions by own time."""
    import cProfile
    import pstats

    from django.test import Client

    client = Client(**{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    client.get(path)
    profiler = cProfile.Profile(time.process_time)  # CPU, not waiting: the machine may be loaded
    profiler.enable()
    for _ in range(repeat):
        client.get(path)
    profiler.disable()
    print(f"\n=== {name}: {path} ({repeat} requests)")
    pstats.Stats(profiler).sort_stats(sort).print_stats(int(os.environ.get("PSTATS_N", 25)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=8, help="seconds of load per measurement")
    parser.add_argument("--rounds", type=int, default=2, help="A B C rounds per endpoint (medians are reported)")
    parser.add_argument("--only", default="", help="comma-separated endpoint names to run (with --profile, also 'framework')")
    parser.add_argument("--profile", action="store_true", help="print an in-process cProfile of each endpoint instead of loading it")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk; make bench-api installs it)")
    setup_django()
    import requests
    from django.conf import settings
    from django.test import Client, override_settings

    owner, workspace, posts = seed()
    headers = {"Authorization": f"Bearer {token_for(owner)}", "X-Workspace": str(workspace.id)}
    detail_id, history_id = posts[-1].id, posts[1].id
    month_start = posts[0].scheduled_time.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    month = f"scheduled_after={month_start:%Y-%m-%dT%H:%M:%SZ}&scheduled_before={(month_start + timedelta(days=31)):%Y-%m-%dT%H:%M:%SZ}&page_size=100"
    endpoints = [
        ("post list (20)", "/api/v1/posts/", "/bench/hand/posts/"),
        # The same page with no body held between requests (a second server, POST_BODY_CACHE_SECONDS=0):
        # what every page costs the first time it is read after its posts changed.
        ("post list (20) with nothing held", "/api/v1/posts/", "/bench/hand/posts/"),
        ("post list (100)", "/api/v1/posts/?page_size=100", "/bench/hand/posts/?page_size=100"),
        ("post detail", f"/api/v1/posts/{detail_id}/", f"/bench/hand/posts/{detail_id}/"),
        ("calendar month", f"/api/v1/posts/?{month}", f"/bench/hand/posts/?{month}"),
        ("queues", "/api/v1/queues/", "/bench/hand/queues/"),
        ("overview", "/api/v1/analytics/overview/", "/bench/hand/overview/"),
        ("history", f"/api/v1/analytics/posts/{history_id}/history/", f"/bench/hand/history/{history_id}/"),
    ]
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        endpoints = [e for e in endpoints if e[0] in wanted]

    if args.profile:
        if not args.only or "framework" in args.only:
            profile("framework (empty list)", "/api/v1/posts/", owner.empty_headers, repeat=200, sort="cumulative")
        for name, api_path, hand_path in endpoints:
            profile(name, api_path, headers)
            profile(f"{name}, hand-written", hand_path, headers)
        return

    port = 18000 + os.getpid() % 1000
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(port)
    uncached = None
    if any(name.endswith("nothing held") for name, *_ in endpoints):
        uncached = start_gunicorn(port + 1, POST_BODY_CACHE_SECONDS="0")
    rows = []
    busy0, wall0 = machine_busy_seconds(), time.monotonic()
    try:
        # Framework overhead, in-process, on an authenticated, workspace-resolved, permission-checked,
        # throttled, paginated empty list (the posts of a user with none): minus the hand-written empty
        # list, which runs the same two queries (the membership row; the page with its total), that is
        # what the framework adds; minus the bare view, everything such a request costs, its queries
        # too. And an empty list with django-filter validating two filters (accounts of a platform
        # nobody has). Interleaved, medians of 3.
        samples = {"api": [], "hand": [], "bare": [], "filtered": []}
        for _ in range(3):
            samples["api"].append(in_process("/api/v1/posts/", owner.empty_headers)[1])
            samples["hand"].append(in_process("/bench/hand/posts/", owner.empty_headers)[1])
            samples["bare"].append(in_process("/bench/bare/60/", {})[1])
            samples["filtered"].append(in_process("/api/v1/accounts/?platform=x&is_active=false", headers)[1])
        framework_ms, hand_empty_ms, bare_small_ms, filtered_ms = (statistics.median(samples[k]) for k in ("api", "hand", "bare", "filtered"))
        empty_stages, empty_whole = stages("/api/v1/posts/", owner.empty_headers)
        for name, api_path, hand_path in endpoints:
            held = not name.endswith("nothing held")
            base = f"http://127.0.0.1:{port if held else port + 1}"
            api_body = requests.get(base + api_path, headers=headers, timeout=30).content
            hand_body = requests.get(base + hand_path, headers=headers, timeout=30).content
            # Page links name the view's own path, and signed media URLs carry their expiry second;
            # the rest must be identical.
            hand_body = hand_body.replace(hand_path.split("?")[0].encode(), api_path.split("?")[0].encode())
            if SIGNED.sub(b"/media/public/-/", api_body) != SIGNED.sub(b"/media/public/-/", hand_body):
                Path("/tmp/bench-api.json").write_bytes(api_body)
                Path("/tmp/bench-hand.json").write_bytes(hand_body)
                raise SystemExit(f"{name}: the hand-written body differs from the API's (see /tmp/bench-api.json, /tmp/bench-hand.json)")
            bare_path = f"/bench/bare/{len(api_body)}/"
            results = {"bare": [], "hand": [], "api": []}
            for _ in range(args.rounds):
                for kind, path in (("bare", bare_path), ("hand", hand_path), ("api", api_path)):
                    results[kind].append(wrk(base + path, headers, args.duration))
            with override_settings(POST_BODY_CACHE_SECONDS=settings.POST_BODY_CACHE_SECONDS if held else 0):
                queries, api_cpu = in_process(api_path, headers)
                hand_queries, hand_cpu = in_process(hand_path, headers)
            med = {
                k: (*(statistics.median(r[i] for r in v) for i in range(3)), *(statistics.median(r[3][p] for r in v) for p in ("gunicorn", "postgres")))
                for k, v in results.items()
            }
            rows.append((name, len(api_body), med, queries, hand_queries, api_cpu, hand_cpu))
            print(f"{name}: api {med['api'][0]:.0f}/s hand {med['hand'][0]:.0f}/s bare {med['bare'][0]:.0f}/s", flush=True)
    finally:
        for process in (server, uncached):
            if process is not None:
                process.terminate()
                process.wait(10)
    busy = machine_busy_seconds() - busy0
    wall = time.monotonic() - wall0
    load = os.getloadavg()

    print()
    print("| Endpoint | Body | API req/s | p50 / p99 ms | Hand-written req/s | Bare req/s | API / hand | API / bare | Queries (API / hand) "
          "| CPU ms/req in-process (API / hand) | Under load, CPU ms/req: gunicorn + PostgreSQL (API / hand / bare) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, size, med, queries, hand_queries, api_cpu, hand_cpu in rows:
        api, hand, bare = med["api"], med["hand"], med["bare"]
        print(
            f"| {name} | {size / 1024:.1f} KB | {api[0]:.0f} | {api[1]:.1f} / {api[2]:.1f} | {hand[0]:.0f} | {bare[0]:.0f} | "
            f"{api[0] / hand[0]:.0%} | {api[0] / bare[0]:.1%} | {queries} / {hand_queries} | {api_cpu:.2f} / {hand_cpu:.2f} | "
            f"{api[3]:.1f} + {api[4]:.1f} / {hand[3]:.1f} + {hand[4]:.1f} / {bare[3]:.1f} + {bare[4]:.1f} |"
        )
    print()
    print(f"Framework overhead in-process, empty post list (auth + workspace + permission + throttle + pagination): "
          f"{framework_ms - hand_empty_ms:.2f} ms over the hand-written empty list with the same two queries "
          f"({framework_ms:.2f} - {hand_empty_ms:.2f}); {framework_ms - bare_small_ms:.2f} ms over a bare view, queries included "
          f"(- {bare_small_ms:.2f}); with two filters validated: {filtered_ms - bare_small_ms:.2f} ms over a bare view")
    print("Stages of the empty post list, in-process CPU ms per request (DRF's methods timed around their calls): "
          + "; ".join(f"{name} {value:.2f}" for name, value in empty_stages.items()) + f"; the whole request {empty_whole:.2f}")
    print(f"Machine: {os.cpu_count()} cores, {busy / wall:.2f} cores busy on average during the run, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
