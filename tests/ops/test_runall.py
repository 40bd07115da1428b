"""`manage.py runall` as `make run` uses it: a fresh var/ with SQLite and the filesystem broker, real
child processes, signals from outside."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.ops.conftest import ROOT, base_env, run_python
from tests.services import free_port

pytestmark = pytest.mark.e2e

START_TIMEOUT = 90


@pytest.fixture(scope="module")
def dev_env(tmp_path_factory):
    env = base_env(DEBUG="1", VAR_DIR=tmp_path_factory.mktemp("runall") / "var")
    result = run_python(["manage.py", "migrate", "--noinput"], env, timeout=300)
    assert result.returncode == 0, result.stderr
    return env


class Runall:
    def __init__(self, env, *args):
        self.port = free_port()
        self.lines = []
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runall", *args], cwd=ROOT, env={**env, "PORT": str(self.port)},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self):
        return "\n".join(self.lines)

    def children(self):
        return {m.group(1): int(m.group(2)) for m in re.finditer(r"runall: started (\w+) \(pid (\d+)\)", self.output)}

    def wait_until_serving(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"runall exited early:\n{self.output}")
            ready = "ready." in self.output and "beat: Starting" in self.output
            if ready and http_status(f"http://127.0.0.1:{self.port}/health/") == 200:
                return
            time.sleep(0.5)
        self.process.kill()
        pytest.fail(f"runall did not serve within {START_TIMEOUT}s:\n{self.output}")

    def wait(self, timeout=60):
        try:
            return self.process.wait(timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()


def http_status(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def live_processes():
    """(pid, state, ppid, pgid) of every live (non-zombie) process, from /proc."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            yield int(stat.parent.name), fields[0], int(fields[1]), int(fields[2])


def group_members(pgid):
    """Live (non-zombie) processes whose process group is `pgid`."""
    return [pid for pid, _state, _ppid, group in live_processes() if group == pgid]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_it_serves_web_worker_and_beat_and_a_signal_stops_them_all(dev_env, signum):
    runall = Runall(dev_env)
    runall.wait_until_serving()
    children = runall.children()

    assert set(children) == {"web", "worker", "beat"}
    assert http_status(f"http://127.0.0.1:{runall.port}/admin/login/") == 200
    assert "beat schedule" in runall.output

    runall.process.send_signal(signum)

    assert runall.wait() == 0, runall.output
    assert "runall: stopped" in runall.output
    assert all(group_members(pid) == [] for pid in children.values()), runall.output
    assert http_status(f"http://127.0.0.1:{runall.port}/health/") is None


def test_it_stops_the_others_and_fails_when_one_process_dies(dev_env):
    runall = Runall(dev_env, "--noreload")
    runall.wait_until_serving()
    children = runall.children()

    os.kill(children["beat"], signal.SIGKILL)

    assert runall.wait() != 0
    assert "runall: beat exited with code -9; stopping the others" in runall.output
    assert all(group_members(pid) == [] for pid in children.values()), runall.output


def test_it_refuses_a_port_that_is_not_a_number(dev_env):
    result = run_python(["manage.py", "runall"], {**dev_env, "PORT": "eighty"})

    assert result.returncode != 0
    assert "PORT must be a TCP port number" in result.stderr


def test_it_asks_for_migrate_when_the_database_has_no_tables(tmp_path):
    env = base_env(DEBUG="1", VAR_DIR=tmp_path / "empty")

    result = run_python(["manage.py", "runall"], env)

    assert result.returncode != 0
    assert "run `manage.py migrate` first" in result.stderr
    assert "runall: started" not in result.stdout


def child_pids(parent):
    """Live direct children of `parent`."""
    return [pid for pid, _state, ppid, _group in live_processes() if ppid == parent]


def cmdline(pid):
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def test_sigterm_to_make_run_stops_runall_web_worker_and_beat(tmp_path):
    port = free_port()
    env = base_env(DEBUG="1", VAR_DIR=tmp_path / "var", PORT=str(port))
    make = subprocess.Popen(["make", "--no-print-directory", "run"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    threading.Thread(target=lambda: lines.extend(line.rstrip("\n") for line in make.stdout), daemon=True).start()
    try:
        deadline = time.monotonic() + 240  # make run migrates a fresh database first
        while not ("beat: Starting" in "\n".join(lines) and http_status(f"http://127.0.0.1:{port}/health/") == 200):
            assert make.poll() is None and time.monotonic() < deadline, "\n".join(lines)
            time.sleep(0.5)
        [runall] = child_pids(make.pid)
        assert "manage.py runall" in cmdline(runall)  # exec: no shell in between that would swallow the signal
        children = {m.group(1): int(m.group(2)) for m in re.finditer(r"runall: started (\w+) \(pid (\d+)\)", "\n".join(lines))}
        assert set(children) == {"web", "worker", "beat"}

        make.send_signal(signal.SIGTERM)
        make.wait(60)
    finally:
        if make.poll() is None:
            make.kill()
    output = "\n".join(lines)
    assert "runall: stopped" in output, output
    deadline = time.monotonic() + 10
    while (Path(f"/proc/{runall}").exists() or any(group_members(pid) for pid in children.values())) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(group_members(pid) for pid in children.values()), output
    assert http_status(f"http://127.0.0.1:{port}/health/") is None


def test_the_oauth_redirect_follows_the_port_unless_public_base_url_is_set(tmp_path):
    code = "from social_media.services.connect import callback_url; print(callback_url('mastodon'))"
    env = base_env(DEBUG="1", VAR_DIR=tmp_path / "var")

    served = run_python(["manage.py", "shell", "-c", code], {**env, "PORT": "18000"})
    public = run_python(["manage.py", "shell", "-c", code], {**env, "PORT": "18000", "PUBLIC_BASE_URL": "https://sched.example/"})

    assert served.stdout.splitlines()[-1] == "http://127.0.0.1:18000/api/v1/accounts/callback/mastodon/", served.stderr
    assert public.stdout.splitlines()[-1] == "https://sched.example/api/v1/accounts/callback/mastodon/", public.stderr
