"""Where a post's CPU goes: `publish_batch` run inline (no Celery, no thread pool) against the fake
Mastodon server without latency, in batches of 20.

    python -m tests.services python bench/publish_profile.py [--posts 1000] [--profile]

Prints the CPU of the publishing thread per post (the fake server's threads are not counted), the SQL
statements per post with the most frequent ones, and with --profile the cProfile of the run (which
inflates functions that make many small calls, such as Mastodon.py's entity casting).
"""

import argparse
import cProfile
import logging
import pstats
import time
from collections import Counter
from concurrent.futures import Future
from datetime import datetime, timedelta, timezone

from common import make_accounts, make_due_targets, setup_django

BATCH = 20


class InlineExecutor:
    """The thread pool's submit, run at once on the calling thread."""

    def submit(self, fn, *args):
        future = Future()
        future.set_result(fn(*args))
        return future


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from social_media.models import PostTarget
    from social_media.services import publishing, warmup
    from tests.fakes.mastodon_fake import MastodonFake

    logging.getLogger("social_media").setLevel(logging.WARNING)
    fake = MastodonFake(max_characters=500)
    base_url = fake.start()
    remote = [fake.add_account(f"profile{i}") for i in range(args.accounts)]
    owner, accounts = make_accounts(
        platform="mastodon", count=args.accounts, base_url=base_url,
        tokens=[token for _, token in remote], user_ids=[a["id"] for a, _ in remote], usernames=[a["username"] for a, _ in remote],
    )
    now = datetime.now(timezone.utc) - timedelta(seconds=1)
    ids = make_due_targets(owner=owner, accounts=accounts, times=[now] * (args.posts + BATCH))
    PostTarget.objects.filter(id__in=ids).update(dispatched_at=now)
    publishing.executor = InlineExecutor
    warmup.warm_imports()
    publishing.publish_batch(target_ids=ids[:BATCH])  # first use of everything, not measured
    measured = ids[BATCH:]

    profile = cProfile.Profile()
    cpu, wall = time.thread_time(), time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        if args.profile:
            profile.enable()
        for start in range(0, len(measured), BATCH):
            publishing.publish_batch(target_ids=measured[start:start + BATCH])
        if args.profile:
            profile.disable()
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    fake.stop()
    print(f"posts {len(measured)}: {1000 * cpu / len(measured):.2f} ms of CPU a post (publishing thread), "
          f"{1000 * wall / len(measured):.2f} ms wall, {len(queries.captured_queries) / len(measured):.2f} statements a post")
    for sql, count in Counter(q["sql"][:100] for q in queries.captured_queries).most_common(12):
        print(f"  {count:6d}  {sql}")
    if args.profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(50)


if __name__ == "__main__":
    main()
