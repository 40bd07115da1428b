"""The redacting log filter holds in a real Celery worker process, whose logging Celery sets up."""

import secrets
import subprocess
import sys
import tempfile

import pytest

from config.celery import app
from tests.engine.processes import ROOT, stop, wait_until, worker_env

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_a_worker_prints_tokens_logged_in_a_task_redacted():
    marker, token = f"mark-{secrets.token_hex(4)}", f"tok-{secrets.token_hex(12)}"
    with tempfile.TemporaryFile(mode="w+") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "default", "-P", "solo", "-n", "logcheck@%h",
             "--include", "tests.ops.logging_tasks", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"],
            cwd=ROOT, env=worker_env(), stdout=out, stderr=subprocess.STDOUT,
        )
        try:
            app.send_task("tests.ops.logging_tasks.log_secrets", args=[marker, token], queue="default")

            def output():
                out.seek(0)
                text = out.read()
                return text if text.count(marker) >= 4 else None

            text = wait_until(output, timeout=60, interval=0.5)
        finally:
            stop(worker)

    assert token not in text, text[-2000:]
    lines = [line for line in text.splitlines() if marker in line]
    assert any("task logger: refreshed, access_token=[redacted]" in line for line in lines), lines
    assert any("code=[redacted]" in line for line in lines) and any("Bearer [redacted]" in line for line in lines)
    assert any("print: refresh_token=[redacted]" in line for line in lines), lines
