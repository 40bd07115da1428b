"""Shared set-up for the benchmarks: Django on the PostgreSQL + Redis that `python -m tests.services`
started, a fresh schema, bulk-created accounts and targets, and percentile maths."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def setup_django():
    import django

    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("Run benchmarks through the service runner: python -m tests.services python bench/<script>.py")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    from django_redis import get_redis_connection

    get_redis_connection("default").flushall()


def make_accounts(*, platform, count, base_url, tokens, user_ids, usernames):
    from accounts.services import user_register
    from social_media.models import ConnectedAccount

    owner = user_register(username="bench", email="bench@example.com", password="bench-password-123")
    workspace = owner.personal_workspace
    workspace.plan = "enterprise"
    workspace.save()
    accounts = [
        ConnectedAccount(
            workspace=workspace, platform=platform, platform_user_id=user_ids[i], platform_username=usernames[i],
            access_token=tokens[i], instance_url=base_url,
            platform_settings={"max_characters": 500, "max_media_attachments": 4, "characters_reserved_per_url": 23},
        )
        for i in range(count)
    ]
    return owner, ConnectedAccount.objects.bulk_create(accounts)


def make_due_targets(*, owner, accounts, times, text="Benchmark post"):
    """One post + one target per due time, spread round-robin over the accounts. Returns target ids."""
    from social_media.models import Post, PostTarget, Status

    posts = Post.objects.bulk_create(
        [Post(workspace=owner.personal_workspace, author=owner, content=f"{text} {i}", status=Status.SCHEDULED, scheduled_time=at)
         for i, at in enumerate(times)],
        batch_size=2000,
    )
    targets = PostTarget.objects.bulk_create(
        [PostTarget(post=post, account=accounts[i % len(accounts)], status=Status.SCHEDULED, next_attempt_at=post.scheduled_time)
         for i, post in enumerate(posts)],
        batch_size=2000,
    )
    return [t.id for t in targets]


def percentile(values, pct):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return 0.0
    return 0.0


def process_cpu_seconds(pid):
    """User + system CPU seconds a process has used so far."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def machine_busy_seconds():
    """CPU seconds the whole machine has spent not idle (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def cpu_seconds_by_program(programs=("gunicorn", "postgres")):
    """CPU seconds (user + system) spent so far by the live processes whose command line names each
    program, and by their children that ended (PostgreSQL's backends and autovacuum workers, reaped by
    the postmaster; gunicorn's workers), from /proc: take it before and after a load to see where its
    CPU went."""
    tick, spent = os.sysconf("SC_CLK_TCK"), dict.fromkeys(programs, 0.0)
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        for program in programs:
            if program in command:
                spent[program] += sum(int(v) for v in fields[11:15]) / tick  # utime stime cutime cstime
                break
    return spent


class DjangoServer:
    """The project's own WSGI app on a free loopback port, in daemon threads (what Django's live_server
    fixture runs): for networks that download media themselves from the signed `media-public` URLs
    that workers make under PUBLIC_BASE_URL (set that to `url` in the workers' environment)."""

    def __init__(self):
        import threading

        from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
        from django.core.wsgi import get_wsgi_application

        class QuietHandler(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        self.server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
        self.server.set_app(get_wsgi_application())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, name="bench-django", daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
