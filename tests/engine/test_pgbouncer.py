"""The engine through a real PgBouncer in transaction pooling mode (Debian's pgbouncer, started here on
a loopback port in front of the test database), with DB_POOL_MODE=transaction: beat dispatches, a
worker's eight publishing threads claim and publish, and each target goes out once, while PgBouncer
holds only a few server connections for all of them."""

import os
import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone

from social_media.models import PostTarget, Status
from tests.engine.conftest import due_target
from tests.engine.processes import start_beat, start_worker, stop, wait_ready, wait_until, worker_env
from tests.factories import ConnectedAccountFactory
from tests import services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
POOL_SIZE = 4  # server connections PgBouncer may open for the whole worker
ROLE = "pgbouncer_test"  # the worker's own role, so its server connections are told apart from the rest of the run's


@pytest.fixture
def pgbouncer():
    db = connection.settings_dict
    with connection.cursor() as cursor:  # trust authentication, as for every role of the test server
        cursor.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN CREATE ROLE {ROLE} LOGIN SUPERUSER; END IF; END $$")
    # Before PostgreSQL itself, also when the suite runs through a PgBouncer of its own (make test-pgbouncer).
    direct = urlsplit(os.environ.get("TEST_DIRECT_DATABASE_URL", "")) if os.environ.get("TEST_DIRECT_DATABASE_URL") else None
    host, port = (direct.hostname, direct.port) if direct else (db["HOST"], db["PORT"])
    with services.pgbouncer(host=host, port=port, databases=[db["NAME"]], users=[ROLE], pool_size=POOL_SIZE) as port:
        yield f"postgres://{ROLE}@127.0.0.1:{port}/{db['NAME']}"


def test_the_engine_publishes_once_through_pgbouncer_in_transaction_mode(pgbouncer, mastodon_fake):
    url = pgbouncer
    accounts = []
    for i in range(3):
        remote, token = mastodon_fake.add_account(f"pool{i}")
        accounts.append(ConnectedAccountFactory(platform="mastodon", platform_user_id=remote["id"], access_token=token,
                                                instance_url=mastodon_fake.base_url, **({"workspace": accounts[0].workspace} if accounts else {})))
    now = timezone.now()
    texts = [f"Pooled {i}" for i in range(30)]
    ids = [due_target(accounts[i % 3], text, at=now + timedelta(seconds=2 + i % 5), dispatched=False).id for i, text in enumerate(texts)]
    env = worker_env(DATABASE_URL=url, DB_POOL_MODE="transaction", DB_CONN_MAX_AGE=0)
    most = [0]

    def all_posted():
        with connection.cursor() as cursor:  # server connections to the test database, this one included
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND usename = %s", [connection.settings_dict["NAME"], ROLE])
            most[0] = max(most[0], cursor.fetchone()[0])
        return PostTarget.objects.filter(id__in=ids, status=Status.POSTED).count() == len(ids)

    with tempfile.NamedTemporaryFile(prefix="celery-pgb-", suffix=".log") as log:
        worker, beat = start_worker(env=env, log=log, loglevel="INFO", concurrency=8), start_beat(env=env)
        try:
            wait_ready(log.name)
            wait_until(all_posted, timeout=120, interval=0.05)
        finally:
            stop(worker), stop(beat)
        worker_log = Path(log.name).read_text(errors="replace")
    assert Counter(post["text"] for post in mastodon_fake.posts) == Counter(texts)
    assert "Traceback" not in worker_log, worker_log[-3000:]
    # Eight publishing threads and beat shared PgBouncer's pool: never more server connections than it
    # holds (straight to PostgreSQL they open one each: 10 or more).
    assert 1 <= most[0] <= POOL_SIZE
