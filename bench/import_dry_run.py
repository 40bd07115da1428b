"""The import's dry run of a 1,000-row CSV (and a 5,000-row one, the row cap), through the service the API
and the Import page call, with the queries it makes.

    python -m tests.services python bench/import_dry_run.py [--rounds 5]

Each row names two accounts (Mastodon and Bluesky) and a time; every tenth row goes to a queue instead and
every fiftieth names an unknown account. Reports the median and spread of the wall time and the query count
of each size, and the machine's load (figures in docs/benchmarks.md)."""

import argparse
import csv
import io
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

# bench/ goes last, so no bench module can hide a standard library one (a bench/calendar.py once did).
_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != Path(_HERE)] + [_HERE]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

from common import setup_django  # noqa: E402


def make_file(rows, *, mastodon, bluesky, at):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["text", "accounts", "time", "queue"])
    writer.writeheader()
    for n in range(rows):
        row = {"text": f"Post {n} " + "words " * 20, "accounts": f"@{mastodon.platform_username};{bluesky.pk}", "time": (at + timedelta(minutes=n)).isoformat(), "queue": ""}
        if n % 10 == 0:
            row.update(time="", queue="Weekdays")
        if n % 50 == 7:
            row["accounts"] = "@ghost"
        writer.writerow(row)
    return out.getvalue().encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.services import user_register
    from social_media.models import ConnectedAccount, PostQueue
    from transfer.files import read_rows
    from transfer.importing import dry_run

    owner = user_register(username="importbench", email="importbench@example.com", password="bench-password-123")
    workspace = owner.personal_workspace
    mastodon = ConnectedAccount.objects.create(workspace=workspace, platform="mastodon", platform_user_id="1", platform_username="alice", instance_url="https://example.social", platform_settings={"max_characters": 500})
    bluesky = ConnectedAccount.objects.create(workspace=workspace, platform="bluesky", platform_user_id="did:plc:x", platform_username="alice.bsky.social")
    queue = PostQueue.objects.create(workspace=workspace, name="Weekdays", timezone="Europe/Berlin", posting_schedule={d: ["09:00", "15:00"] for d in ("monday", "tuesday", "wednesday", "thursday", "friday")})
    queue.target_accounts.add(mastodon)
    at = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    for rows in (1000, 5000):
        data = make_file(rows, mastodon=mastodon, bluesky=bluesky, at=at)
        times = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                result = dry_run(workspace=workspace, rows=read_rows(name="bench.csv", data=data))
            times.append(time.perf_counter() - started)
        assert result["rows_total"] == rows and result["rows_failed"] == rows // 50
        print(f"{rows:>5} rows ({len(data) / 1024:,.0f} KB): median {statistics.median(times):.2f} s "
              f"(min {min(times):.2f}, max {max(times):.2f}, {args.rounds} rounds), {len(queries)} queries")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
