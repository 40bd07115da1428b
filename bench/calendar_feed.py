"""The calendar's month feed and the problems page, each against a bare view of the same size, as the
workspace's history grows from 6,000 to 300,000 posts.

    python -m tests.services python bench/calendar_feed.py [--requests 30] [--rounds 3]     (make bench-calendar)

Seeds one workspace with bulk SQL (INSERT ... SELECT generate_series): 6 accounts; a 42-day month view
holding 3,000 posts (two thirds posted, one third scheduled, two targets each, every third with an
image that has a thumbnail); 65 problems (40 failed, 10 unconfirmed, 15 failed because their account
was disconnected); the rest of the posts are history before the month (posted, two targets each).
Then it serves the project with the production gunicorn config (config/gunicorn.conf.py, 2 sync
workers, DEBUG off), logs in with a session cookie, and times requests one at a time from this
process, alternating A B A B: the bare view answering the same number of bytes (the ceiling: what any
response of that size costs through the same server) and the page. Reports medians and p90 of each,
their ratio, the queries per request and the CPU per request of Django and of PostgreSQL (Django test
client in this process, the backend's CPU from /proc: figures the machine's other load barely moves),
and the machine's load.
It runs at 6,000 posts, then adds history up to 300,000 (ANALYZE after each seeding) and runs again:
both pages should stay flat, since neither reads the history.

--explain prints PostgreSQL's plan (EXPLAIN ANALYZE) of each page's queries at both sizes instead.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

# This file's name is the standard library's `calendar` (dateutil imports it): the folder Python put
# first on the path goes last, so `import calendar` finds the standard library's and `common` still resolves.
_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != Path(_HERE)] + [_HERE]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.api_settings"  # the project's URLs plus /bench/bare/<size>/

from api import start_gunicorn  # noqa: E402
from common import machine_busy_seconds, percentile, process_cpu_seconds, setup_django  # noqa: E402

ACCOUNTS, IN_MONTH, SIZES = 6, 3000, (6_000, 300_000)
PROBLEMS = {"failed": 40, "unconfirmed": 10, "disconnected": 15}
MONTH_DAYS = 42  # what FullCalendar's month view asks for: six weeks


def seed_workspace():
    """The owner, their workspace, its accounts and one image with a thumbnail; the month's window."""
    from accounts.services import user_register
    from media.models import MediaFile
    from social_media.models import ConnectedAccount

    owner = user_register(username="calbench", email="calbench@example.com", password="bench-password-123")
    workspace = owner.personal_workspace
    workspace.plan = "enterprise"
    workspace.save()
    accounts = ConnectedAccount.objects.bulk_create([
        ConnectedAccount(workspace=workspace, platform=("mastodon", "bluesky", "x")[i % 3], platform_user_id=f"u{i}",
                         platform_username=f"user{i}", access_token=f"token-{i}", instance_url="https://example.social")
        for i in range(ACCOUNTS)
    ])
    image = MediaFile.objects.create(workspace=workspace, uploaded_by=owner, media_type="image", original_filename="photo.jpg",
                                     file=f"workspaces/{workspace.id}/photo.jpg", thumbnail=f"workspaces/{workspace.id}/thumb.jpg",
                                     file_size=123456, mime_type="image/jpeg", width=1200, height=800, alt_text="A photo", status="ready")
    today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    month_start = today - timedelta(days=28)
    return owner, workspace, [a.pk for a in accounts], image.pk, month_start


POSTS_SQL = """
INSERT INTO social_media_post (workspace_id, author_id, content, status, scheduled_time, posted_at, created_at, updated_at)
SELECT %(workspace)s, %(author)s, %(prefix)s || g || ': shipping something nice today #launch https://example.com/' || g,
       CASE WHEN %(status)s::text IS NOT NULL THEN %(status)s::text WHEN t < now() THEN 'posted' ELSE 'scheduled' END,
       t, CASE WHEN (%(status)s::text IS NULL AND t < now()) OR %(status)s::text = 'posted' THEN t + interval '2 seconds' END,
       t - interval '1 day', t
FROM generate_series(1, %(count)s) g, LATERAL (SELECT %(first)s::timestamptz + (g - 1) * %(step)s::interval AS t) at
RETURNING id
"""

TARGETS_SQL = """
INSERT INTO social_media_posttarget (post_id, account_id, custom_content, platform_specific_settings, status, platform_post_id,
    platform_post_url, error_message, retry_count, last_attempt_at, posted_at, idempotency_key, next_attempt_at)
SELECT p.id, (%(accounts)s::bigint[])[1 + (p.id + k) %% %(n_accounts)s], '', '{}'::jsonb, COALESCE(%(status)s, p.status),
       CASE WHEN p.status = 'posted' THEN 'p' || p.id || '-' || k ELSE '' END,
       CASE WHEN p.status = 'posted' THEN 'https://example.social/@u/' || p.id || k ELSE '' END,
       %(error)s, 1, p.scheduled_time, p.posted_at, gen_random_uuid(), p.scheduled_time
FROM social_media_post p, generate_series(0, %(per_post)s - 1) k
WHERE p.id = ANY(%(posts)s)
"""


def insert_posts(cursor, ws, *, count, first, step, prefix, status=None, targets_status=None, error="", per_post=2):
    cursor.execute(POSTS_SQL, {"workspace": ws["workspace"], "author": ws["author"], "prefix": prefix, "status": status,
                               "count": count, "first": first, "step": step})
    ids = [row[0] for row in cursor.fetchall()]
    cursor.execute(TARGETS_SQL, {"accounts": ws["accounts"], "n_accounts": len(ws["accounts"]), "status": targets_status,
                                 "error": error, "per_post": per_post, "posts": ids})
    return ids


def seed_month(ws):
    """The month: 3,000 posts spread over 42 days (posted before now, scheduled after), every third with
    the image; and the problems."""
    from django.db import connection

    from social_media.services.accounts import DISCONNECTED_MESSAGE

    with connection.cursor() as cursor:
        ids = insert_posts(cursor, ws, count=IN_MONTH, first=ws["month_start"], step=timedelta(days=MONTH_DAYS) / IN_MONTH, prefix="Post ")
        cursor.execute('INSERT INTO social_media_postmedia (post_id, media_id, "order") SELECT id, %s, 0 FROM unnest(%s::bigint[]) id WHERE id %% 3 = 0',
                       [ws["image"], ids])
        when = ws["month_start"] + timedelta(days=3)
        for kind, count in PROBLEMS.items():
            status = "failed" if kind == "disconnected" else kind
            error = DISCONNECTED_MESSAGE if kind == "disconnected" else ("" if kind == "unconfirmed" else "The instance answered 503; try again.")
            insert_posts(cursor, ws, count=count, first=when, step=timedelta(minutes=7), prefix=f"{kind.title()} ",
                         status=status, targets_status=status, error=error, per_post=1)


def add_history(ws, total):
    """Posted posts before the month, 10 minutes apart, until the workspace has `total` posts."""
    from django.db import connection

    from social_media.models import Post

    missing = total - Post.objects.filter(workspace_id=ws["workspace"]).count()
    with connection.cursor() as cursor:
        done = 0
        while done < missing:  # batches keep each statement's memory small
            batch = min(50_000, missing - done)
            oldest = ws["history_end"] - timedelta(minutes=10) * (done + batch)
            insert_posts(cursor, ws, count=batch, first=oldest, step=timedelta(minutes=10), prefix="History ", status="posted")
            done += batch
        cursor.execute("ANALYZE")


def session_cookie(user):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def time_requests(session, url, headers, count):
    """Wall-clock ms of `count` sequential requests (after one to warm), checking each answers 200."""
    session.get(url, headers=headers, timeout=60)
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        response = session.get(url, headers=headers, timeout=60)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return samples


def queries_of(path, user):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(ctx.captured_queries), ctx.captured_queries


def cpu_per_request(path, user, repeat=20):
    """(Django CPU ms, PostgreSQL CPU ms) per request of `path`, in this process through the Django test
    client: this process's CPU time, and that of the PostgreSQL backend serving its connection (from
    /proc). CPU time is what a request costs whatever else loads the machine; on an idle machine the
    answer takes about their sum (plus the HTTP server's share, which the bare view also pays)."""
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(user)
    client.get(path)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    python0, pg0 = time.process_time(), process_cpu_seconds(backend)
    for _ in range(repeat):
        assert client.get(path).status_code == 200
    return (time.process_time() - python0) * 1000 / repeat, (process_cpu_seconds(backend) - pg0) * 1000 / repeat


def explain(path, user):
    """EXPLAIN ANALYZE of every query `path` runs but the session's, user's and membership's."""
    from django.db import connection

    _, captured = queries_of(path, user)
    with connection.cursor() as cursor:
        for query in captured:
            if "django_session" in query["sql"] or 'FROM "accounts_user"' in query["sql"] and "LIMIT 21" in query["sql"]:
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            print("\n".join(row[0] for row in cursor.fetchall()), end="\n\n")


def measure(base, pages, cookie, *, count, rounds):
    """{name: (size, page samples, bare samples)}, alternating bare and page for each round."""
    import requests

    session = requests.Session()
    headers = {"Cookie": cookie}
    results = {}
    for name, path in pages:
        body = session.get(base + path, headers=headers, timeout=60).content
        bare = f"/bench/bare/{len(body)}/"
        page_ms, bare_ms = [], []
        for _ in range(rounds):
            bare_ms += time_requests(session, base + bare, headers, count)
            page_ms += time_requests(session, base + path, headers, count)
        results[name] = (len(body), page_ms, bare_ms)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=30, help="sequential requests per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="A B rounds per page and size (medians over all)")
    parser.add_argument("--explain", action="store_true", help="print the pages' query plans at both sizes instead of timing")
    args = parser.parse_args()
    setup_django()
    owner, workspace, accounts, image, month_start = seed_workspace()
    ws = {"workspace": workspace.pk, "author": owner.pk, "accounts": accounts, "image": image,
          "month_start": month_start, "history_end": month_start - timedelta(days=1)}
    seed_month(ws)
    month_end = month_start + timedelta(days=MONTH_DAYS)
    feed = f"/calendar/events/?start={month_start:%Y-%m-%dT%H:%M:%S}&end={month_end:%Y-%m-%dT%H:%M:%S}"
    pages = [("month feed", feed), ("problems page", "/problems/")]

    rows = []
    port = 18500 + os.getpid() % 400
    busy0, wall0 = machine_busy_seconds(), time.monotonic()
    for total in SIZES:
        t0 = time.monotonic()
        add_history(ws, total)
        print(f"seeded {total:,} posts in {time.monotonic() - t0:.1f} s", flush=True)
        if args.explain:
            for name, path in pages:
                print(f"=== {name} at {total:,} posts: {path}")
                explain(path, owner)
            continue
        server = start_gunicorn(port)  # a fresh server (and connections) per size
        try:
            results = measure(f"http://127.0.0.1:{port}", pages, session_cookie(owner), count=args.requests, rounds=args.rounds)
        finally:
            server.terminate()
            server.wait(10)
        for name, path in pages:
            size, page_ms, bare_ms = results[name]
            queries, _ = queries_of(path, owner)
            cpu = cpu_per_request(path, owner)
            rows.append((name, total, size, page_ms, bare_ms, queries, cpu))
            print(f"{name} at {total:,}: {statistics.median(page_ms):.1f} ms (bare {statistics.median(bare_ms):.1f} ms)", flush=True)
    if args.explain:
        return
    busy, wall, load = machine_busy_seconds() - busy0, time.monotonic() - wall0, os.getloadavg()
    print()
    print("| Page | Posts in the workspace | Body | Page p50 / p90 ms | Bare view p50 / p90 ms | Page / bare (p50) | Queries "
          "| CPU ms per request: Django + PostgreSQL |")
    print("|---|---|---|---|---|---|---|---|")
    for name, total, size, page_ms, bare_ms, queries, (django_cpu, pg_cpu) in rows:
        print(f"| {name} | {total:,} | {size / 1024:.1f} KB | {statistics.median(page_ms):.1f} / {percentile(page_ms, 90):.1f} | "
              f"{statistics.median(bare_ms):.1f} / {percentile(bare_ms, 90):.1f} | {statistics.median(page_ms) / statistics.median(bare_ms):.1f}x | {queries} "
              f"| {django_cpu:.1f} + {pg_cpu:.1f} |")
    print()
    print(f"Machine: {os.cpu_count()} cores, {busy / wall:.2f} cores busy on average during the run, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
