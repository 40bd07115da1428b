"""The engine through a real PgBouncer in transaction pooling mode (Debian's pgbouncer, started here on
a loopback port in front of the test database), with DB_POOL_MODE=transaction: beat dispatches, a
worker's eight publishing threads claim and publish, and each target goes out once, while PgBouncer
holds only a few server connections for all of them."""

import os
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from social_media.models import PostTarget, Status
from tests.engine.conftest import due_target
from tests.engine.processes import start_beat, start_worker, stop, wait_ready, wait_until, worker_env
from tests.factories import ConnectedAccountFactory
from tests.services import free_port, wait_for_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
POOL_SIZE = 4  # server connections PgBouncer may open for the whole worker
ROLE = "pgbouncer_test"  # the worker's own role, so its server connections are told apart from the rest of the run's


@pytest.fixture
def pgbouncer():
    if not Path(PGBOUNCER).exists():
        pytest.fail("pgbouncer is not installed (make test installs it with apt-get when run as root)")
    db = connection.settings_dict
    with connection.cursor() as cursor:  # trust authentication, as for every role of the test server
        cursor.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN CREATE ROLE {ROLE} LOGIN SUPERUSER; END IF; END $$")
    root = Path(tempfile.mkdtemp(prefix="sched-pgbouncer-"))
    port = free_port()
    (root / "userlist.txt").write_text(f'"{ROLE}" ""\n')
    (root / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"{db['NAME']} = host={db['HOST']} port={db['PORT']} dbname={db['NAME']}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {root / 'userlist.txt'}\n"
        f"pool_mode = transaction\ndefault_pool_size = {POOL_SIZE}\nmax_client_conn = 200\n"
        f"logfile = {root / 'pgbouncer.log'}\npidfile = {root / 'pgbouncer.pid'}\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
    )
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        shutil.chown(root, "postgres", "postgres")
        for child in root.iterdir():
            shutil.chown(child, "postgres", "postgres")
    command = [PGBOUNCER, str(root / "pgbouncer.ini")] + (["-u", "postgres"] if os.geteuid() == 0 else [])
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port)
        yield f"postgres://{ROLE}@127.0.0.1:{port}/{db['NAME']}", root
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(root, ignore_errors=True)


def test_the_engine_publishes_once_through_pgbouncer_in_transaction_mode(pgbouncer, mastodon_fake):
    url, root = pgbouncer
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
