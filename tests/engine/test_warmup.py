"""A posting worker warms itself before it takes work: every registered adapter imported (atproto alone
takes about a second to import, which the first post used to pay), connections opened."""

import pytest

from social_media.platforms import PLATFORMS
from tests.engine.processes import start_worker, stop, wait_until, worker_env

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_a_posting_worker_imports_every_registered_adapter_and_connects_before_it_is_ready(tmp_path):
    log_path = tmp_path / "worker.log"
    with open(log_path, "wb") as log:
        worker = start_worker(queues="posting", concurrency=2, log=log, loglevel="INFO", env=worker_env(PUBLISH_WARM_THREADS=6))
    try:
        wait_until(lambda: b" ready." in log_path.read_bytes(), timeout=90, interval=0.5)
    finally:
        stop(worker)
    lines = log_path.read_text().splitlines()
    ready = next(i for i, line in enumerate(lines) if line.endswith(" ready."))
    warmed = [i for i, line in enumerate(lines) if "adapters warmed: " in line]
    connected = [i for i, line in enumerate(lines) if "connections opened: database, redis" in line]
    assert warmed and connected, "\n".join(lines[-30:])
    assert warmed[0] < connected[0] < ready  # all of it before the worker takes its first message
    assert lines[connected[0]].endswith("database, redis, 6 publish threads")  # six distinct threads, each connected
    [frozen] = [line for line in lines if "start-up heap frozen: " in line]
    assert int(frozen.split("start-up heap frozen: ")[1].split()[0]) > 100_000  # the imported adapters and all
    imported = lines[warmed[0]].split("adapters warmed: ", 1)[1]
    assert [entry.split()[0] for entry in imported.split(", ")] == list(PLATFORMS)
    assert not [line for line in lines if "could not warm" in line or "could not open connections" in line]


def test_warming_compiles_the_link_validator_the_first_publish_would_compile():
    """A fresh process (nothing compiled yet): after warm_imports, Django's URLValidator pattern, which
    post_link needs for every published post and which costs about a second to compile, is built."""
    import subprocess
    import sys

    from django.conf import settings as django_settings

    code = (
        "import django; django.setup()\n"
        "from django.core.validators import URLValidator\n"
        "from django.utils.functional import empty\n"
        "before = URLValidator.regex._wrapped is not empty\n"
        "from social_media.services import warmup\n"
        "warmup.warm_imports()\n"
        "print(before, URLValidator.regex._wrapped is not empty)\n"
    )
    env = worker_env(WORKER_WARMUP=1)
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=django_settings.BASE_DIR, capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["False", "True"], result.stderr[-2000:]
