"""Real Celery processes for end-to-end tests and benchmarks: a worker and beat started as
subprocesses against the same PostgreSQL database and Redis the test process uses."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def worker_env(**extra):
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        REDIS_URL=settings.REDIS_URL,
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        DJANGO_SETTINGS_MODULE="tests.settings",
        PYTHONPATH=str(ROOT),
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def start_worker(*, queues="posting,default", concurrency=8, pool="threads", env=None, name="w1", log=None, loglevel="WARNING"):
    cmd = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queues, "-P", pool, "-c", str(concurrency),
        "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", loglevel,
    ]
    return subprocess.Popen(cmd, cwd=ROOT, env=env or worker_env(), stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT)


def start_beat(*, env=None, log=None):
    """Beat with the production scheduler (settings.CELERY_BEAT_SCHEDULER: the django-celery-beat
    tables, synced from settings.CELERY_BEAT_SCHEDULE when it starts)."""
    cmd = [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "WARNING", "--max-interval", "1"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env or worker_env(), stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT)


def stop(proc, sig=signal.SIGTERM, timeout=15):
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def wait_ready(log_path, *, timeout=120.0):
    """Until the worker logging to `log_path` (at INFO) says it consumes: its `<name> ready.` line, logged
    after it warmed up and connected (on a loaded machine that takes from seconds to a minute)."""
    wait_until(lambda: any(line.endswith(" ready.") for line in Path(log_path).read_text(errors="replace").splitlines()),
               timeout=timeout, interval=0.2)


@contextmanager
def celery_processes(*, beat=True, ready_timeout=120.0, **worker_kwargs):
    """A worker (and beat), yielded once the worker is ready to consume."""
    with tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log") as log:
        procs = [start_worker(**{"loglevel": "INFO", **worker_kwargs, "log": log})]
        if beat:
            procs.append(start_beat(env=worker_kwargs.get("env")))
        try:
            wait_ready(log.name, timeout=ready_timeout)
            yield procs
        finally:
            for proc in procs:
                stop(proc)


def wait_until(predicate, *, timeout=30.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")
