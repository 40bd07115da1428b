"""Analytics at scale: the overview of a workspace over 90 days and the best times of an account with
2,000 posts, with 100,000 posted targets and their snapshots growing from 100,000 to 10,000,000.

    python -m tests.services python bench/analytics.py [--steps 100000,1000000,3000000,10000000] [--runs 15]

Data (generated in PostgreSQL with generate_series, not through the ORM): 41 workspaces of 10 accounts;
the measured workspace's 10 accounts have 2,000 posts each over the last 365 days (20,000 targets),
the other 40 workspaces share 80,000; every target has its latest figures (PostAnalytics) and
snapshots are added step by step (the same number per target) up to each total. Accounts have a daily
AccountSnapshot for the year. After each step: ANALYZE, then each measured call `--runs` times
(median, p90, and the CPU time per call of this process plus its PostgreSQL backend, which a loaded
machine does not inflate the way it does wall time) and the plans of the queries behind it (EXPLAIN
ANALYZE, BUFFERS)."""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta

# Run as a script, this folder is sys.path[0], where a bench module named like a standard one (calendar.py, since renamed) would shadow the standard library
# calendar module: import the shared set-up as bench.common from the project root instead.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [os.path.dirname(_HERE)] + [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
from bench.common import percentile, setup_django  # noqa: E402

TARGETS = 100_000
BIG_ACCOUNTS, POSTS_PER_BIG_ACCOUNT = 10, 2_000
OTHER_WORKSPACES, ACCOUNTS_PER_WORKSPACE = 40, 10


def sql(statement, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def make_world():
    from accounts.models import Workspace
    from accounts.services import user_register
    from social_media.models import ConnectedAccount

    owner = user_register(username="bench", email="bench@example.com", password="bench-password-123")
    measured = owner.personal_workspace
    measured.metadata = {"timezone": "Europe/Berlin"}
    measured.save()
    workspaces = [measured, *Workspace.objects.bulk_create([Workspace(name=f"other {i}") for i in range(OTHER_WORKSPACES)])]
    platforms = ["x", "bluesky", "mastodon", "linkedin", "facebook", "instagram", "threads", "reddit", "mastodon", "x"]
    accounts = ConnectedAccount.objects.bulk_create([
        ConnectedAccount(workspace=ws, platform=platforms[i], platform_user_id=f"{ws.pk}-{i}", platform_username=f"acct{ws.pk}_{i}")
        for ws in workspaces for i in range(ACCOUNTS_PER_WORKSPACE)
    ])
    big = [a.pk for a in accounts[:BIG_ACCOUNTS]]
    others = [a.pk for a in accounts[BIG_ACCOUNTS:]]
    return owner, measured, big, others


def generate_targets(*, owner, measured, big, others):
    """100,000 posts, targets and PostAnalytics rows in three statements. Posted times spread over the
    last 365 days; engagement with a weekly pattern and noise."""
    started = time.perf_counter()
    n_big = len(big) * POSTS_PER_BIG_ACCOUNT
    sql(f"""
        CREATE TEMP TABLE plan AS
        SELECT g AS n,
               CASE WHEN g <= {n_big} THEN (%s::bigint[])[1 + (g - 1) %% {len(big)}]
                    ELSE (%s::bigint[])[1 + (g - 1) %% {len(others)}] END AS account_id,
               now() - (random() * interval '365 days') AS posted_at
        FROM generate_series(1, {TARGETS}) g
    """, [big, others])
    sql("""
        INSERT INTO social_media_post (workspace_id, author_id, content, status, scheduled_time, posted_at, created_at, updated_at)
        SELECT a.workspace_id, NULL, 'Bench post ' || p.n || CASE WHEN p.n % 7 = 0 THEN ' #launch' ELSE ' #daily' END,
               'posted', p.posted_at, p.posted_at, p.posted_at - interval '1 day', p.posted_at
        FROM plan p JOIN social_media_connectedaccount a ON a.id = p.account_id ORDER BY p.n
    """)
    sql("""
        INSERT INTO social_media_posttarget (post_id, account_id, custom_content, platform_specific_settings, status,
            platform_post_id, platform_post_url, error_message, retry_count, posted_at, idempotency_key)
        SELECT post.id, p.account_id, '', '{}', 'posted', 'p' || post.id, '', '', 1, p.posted_at, gen_random_uuid()
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM social_media_post) post JOIN plan p ON p.n = post.n
    """)
    sql("""
        INSERT INTO analytics_postanalytics (target_id, workspace_id, post_id, account_id, platform, posted_at, likes, reposts, replies,
            quotes, impressions, clicks, saves, views, engagement_total, platform_metrics, updated_at)
        SELECT t.id, a.workspace_id, t.post_id, t.account_id, a.platform, t.posted_at, f.likes, f.likes / 5, f.likes / 10, 0,
               f.likes * 30, f.likes / 3, 0, 0, f.likes + f.likes / 5 + f.likes / 10 + f.likes / 3, '{}', now()
        FROM social_media_posttarget t JOIN social_media_connectedaccount a ON a.id = t.account_id,
        LATERAL (SELECT (20 * (CASE WHEN extract(isodow FROM t.posted_at) = 2 AND extract(hour FROM t.posted_at) = 8 THEN 3 ELSE 1 END)
                        * exp(random() - 0.5))::bigint AS likes) f
    """)
    sql("""
        INSERT INTO analytics_accountsnapshot (account_id, day, followers, following, posts, extra, captured_at)
        SELECT a.id, d::date, 1000 + (extract(epoch FROM d - (now() - interval '365 days')) / 86400)::int * 5, 100, 500, '{}', d
        FROM social_media_connectedaccount a, generate_series(now() - interval '365 days', now(), interval '1 day') d
    """)
    sql("ANALYZE")
    return time.perf_counter() - started


def add_snapshots(per_target_from, per_target_to):
    """Snapshots number per_target_from+1 .. per_target_to of every target (a reading every 6 h, then daily)."""
    started = time.perf_counter()
    sql(f"""
        INSERT INTO analytics_analyticssnapshot (target_id, captured_at, likes, reposts, replies, quotes, impressions, clicks,
            saves, views, extra)
        SELECT pa.target_id, pa.posted_at + k * interval '6 hours', pa.likes * k / {per_target_to}, pa.reposts * k / {per_target_to},
               pa.replies * k / {per_target_to}, 0, pa.impressions * k / {per_target_to}, 0, 0, 0, '{{}}'
        FROM analytics_postanalytics pa, generate_series({per_target_from + 1}, {per_target_to}) k
    """)
    sql("ANALYZE analytics_analyticssnapshot")
    return time.perf_counter() - started


def backend_cpu_seconds():
    """CPU time (user + system) the PostgreSQL backend serving this connection has used so far: it runs
    on this machine, so /proc has it. The machine is shared and loaded, so CPU time, unlike wall time,
    says what a call costs whatever else runs."""
    pid = sql("SELECT pg_backend_pid()")[0][0]
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(fn, runs):
    """(median ms, p90 ms, CPU ms per call: this process + the PostgreSQL backend, averaged over the runs)."""
    fn()  # warm (plans, caches)
    times = []
    cpu_before, db_before = time.process_time(), backend_cpu_seconds()
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    cpu = (time.process_time() - cpu_before + backend_cpu_seconds() - db_before) * 1000 / runs
    return statistics.median(times), percentile(times, 90), cpu


def plans(measured, account_id, tz):
    """EXPLAIN ANALYZE of the queries the overview and best times run (captured from Django)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from analytics.insights.best_times import best_times
    from analytics.insights.overview import overview
    from social_media.models import ConnectedAccount

    until = time_now()
    with CaptureQueriesContext(connection) as captured:
        overview(workspace=measured, tz=tz, since=until - timedelta(days=90), until=until)
        best_times(account=ConnectedAccount.objects.get(pk=account_id), tz=tz)
    out = []
    for query in captured.captured_queries:
        statement = query["sql"]
        if not statement.lstrip().upper().startswith("SELECT"):
            continue
        rows = sql("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement)
        out.append((statement, "\n".join(row[0] for row in rows)))
    return out


def breakdown(measured, tz):
    from analytics.insights import overview as o
    from analytics.services import workspace_overview
    from social_media.models import ConnectedAccount

    def window():
        until = time_now()
        return until - timedelta(days=90), until

    def rows():
        since, until = window()
        return o.facts(workspace=measured, since=since, until=until)

    ids = list(ConnectedAccount.objects.filter(workspace=measured).values_list("id", flat=True))
    return {
        "posts and targets by status (Post window)": lambda: workspace_overview(workspace=measured, since=window()[0], until=window()[1]),
        "per account sums": lambda: list(rows().order_by().values("account_id", "platform").annotate(**o._sums())),
        "daily series": lambda: o.daily_series(rows(), since=window()[0], until=window()[1], tz=tz),
        "follower growth": lambda: o.follower_growth(account_ids=ids, since=window()[0], until=window()[1], tz=tz),
        "top posts": lambda: o.top_posts(rows()),
    }


def time_now():
    from django.utils import timezone

    return timezone.now()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="100000,1000000,3000000,10000000", help="snapshot totals to measure at")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--plans", action="store_true", help="print the query plans at the last step")
    args = parser.parse_args()
    setup_django()
    from analytics.insights.best_times import best_times
    from analytics.insights.overview import overview
    from analytics.insights.tz import zone
    from social_media.models import ConnectedAccount

    owner, measured, big, others = make_world()
    generated = generate_targets(owner=owner, measured=measured, big=big, others=others)
    print(f"load average {os.getloadavg()[0]:.2f}; generated {TARGETS:,} targets with figures in {generated:.1f} s", flush=True)
    tz = zone("Europe/Berlin")
    account = ConnectedAccount.objects.get(pk=big[0])

    def run_overview():
        until = time_now()
        return overview(workspace=measured, tz=tz, since=until - timedelta(days=90), until=until)

    def run_best_times():
        return best_times(account=account, tz=tz)

    answer = run_overview()
    times = run_best_times()
    print(f"overview: {answer['totals']['posts']:,} targets in 90 days; best times: {times['posts_used']:,} posts, "
          f"source {times['source']}, best {times['best'][0]['day']} {times['best'][0]['time']}", flush=True)
    print("| snapshots | generated in | overview 90 d: median / p90 (CPU) | best times: median / p90 (CPU) | load |")
    print("|---:|---:|---:|---:|---:|")
    per_target = 0
    for total in [int(step) for step in args.steps.split(",")]:
        goal = total // TARGETS
        spent = add_snapshots(per_target, goal)
        per_target = goal
        o_med, o_p90, o_cpu = measure(run_overview, args.runs)
        b_med, b_p90, b_cpu = measure(run_best_times, args.runs)
        count = sql("SELECT reltuples::bigint FROM pg_class WHERE relname = 'analytics_analyticssnapshot'")[0][0]
        print(f"| {count:,} | {spent:.0f} s | {o_med:.0f} / {o_p90:.0f} ms ({o_cpu:.0f} ms) | {b_med:.0f} / {b_p90:.0f} ms ({b_cpu:.0f} ms) "
              f"| {os.getloadavg()[0]:.1f} |", flush=True)
    print("\nWhere the overview's time goes (median wall ms, CPU ms per call):")
    for name, fn in breakdown(measured, tz).items():
        med, _p90, cpu = measure(fn, args.runs)
        print(f"- {name}: {med:.1f} ({cpu:.1f} CPU)")
    if args.plans:
        for statement, plan in plans(measured, big[0], tz):
            print("\n```\n" + statement[:400] + ("..." if len(statement) > 400 else "") + "\n\n" + plan + "\n```")


if __name__ == "__main__":
    main()
