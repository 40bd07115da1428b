"""`manage.py runall` as `make run` uses it: a fresh var/ with the private PostgreSQL (config/embedded_db.py)
and the filesystem broker, real child processes, signals from outside (to runall, and to make alone)."""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from config import embedded_db
from tests.ops.conftest import ROOT, base_env, run_python
from tests.services import free_port

pytestmark = pytest.mark.e2e

START_TIMEOUT = 240  # the module's first runall creates the database and migrates it; a loaded machine is slow
BLOCK_END = "Stop with Ctrl-C"


@pytest.fixture(scope="module")
def dev_env(make_var_dir):
    """No DATABASE_URL, REDIS_URL or broker: what `make run` has."""
    return base_env(DEBUG="1", VAR_DIR=make_var_dir())


def database_pid(env):
    return embedded_db.project_server(env["VAR_DIR"]).pid()


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
            if BLOCK_END in self.output and http_status(f"http://127.0.0.1:{self.port}/health/") == 200:
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
    assert runall.output.rstrip().endswith("database: PostgreSQL stopped"), runall.output
    assert database_pid(dev_env) is None


def test_above_info_there_is_no_ready_line_and_start_up_still_ends_with_the_block(dev_env):
    runall = Runall({**dev_env, "LOG_LEVEL": "WARNING"}, "--noreload")
    runall.wait_until_serving()
    runall.process.send_signal(signal.SIGTERM)

    assert runall.wait() == 0, runall.output
    assert " ready." not in runall.output and "--loglevel WARNING" in runall.output


def test_it_stops_the_others_and_fails_when_one_process_dies(dev_env):
    runall = Runall(dev_env, "--noreload")
    runall.wait_until_serving()
    children = runall.children()

    os.kill(children["beat"], signal.SIGKILL)

    assert runall.wait() != 0
    assert "runall: beat exited with code -9; stopping the others" in runall.output
    assert all(group_members(pid) == [] for pid in children.values()), runall.output
    assert database_pid(dev_env) is None


def test_it_refuses_a_port_that_is_not_a_number(dev_env):
    result = run_python(["manage.py", "runall"], {**dev_env, "PORT": "eighty"})

    assert result.returncode != 0
    assert "PORT must be a TCP port number" in result.stderr


def test_it_says_so_when_the_database_url_names_no_reachable_server(tmp_path):
    env = base_env(DEBUG="1", VAR_DIR=tmp_path / "var", DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/scheduler")

    result = run_python(["manage.py", "runall"], env)

    assert result.returncode != 0
    assert "is not reachable" in result.stderr and "check DATABASE_URL" in result.stderr, result.stderr
    assert "runall: started" not in result.stdout


def test_it_refuses_a_port_already_served_before_starting_anything(dev_env):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = run_python(["manage.py", "runall"], {**dev_env, "PORT": str(busy.getsockname()[1])})

    assert result.returncode != 0
    assert "is already in use" in result.stderr
    assert "database:" not in result.stdout and database_pid(dev_env) is None


def child_pids(parent):
    """Live direct children of `parent`."""
    return [pid for pid, _state, ppid, _group in live_processes() if ppid == parent]


def cmdline(pid):
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


@pytest.mark.parametrize(("to", "signum"), [("make", signal.SIGTERM), ("make", signal.SIGINT), ("group", signal.SIGINT)])
def test_a_signal_to_make_stops_runall_web_worker_beat_and_the_database_gracefully(dev_env, to, signum):
    """make passes SIGTERM on to its child but not SIGINT (it expects the whole terminal group to get it):
    runall follows make's SIGINT itself (runall.follow_make_interrupts). Ctrl-C (SIGINT to the group)
    reaches both, and must still count as one signal (a second one kills at once)."""
    port = free_port()
    make = subprocess.Popen(
        ["make", "--no-print-directory", "run"], cwd=ROOT, env={**dev_env, "PORT": str(port)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,  # nothing else gets the signal
    )
    lines = []
    threading.Thread(target=lambda: lines.extend(line.rstrip("\n") for line in make.stdout), daemon=True).start()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not (BLOCK_END in "\n".join(lines) and http_status(f"http://127.0.0.1:{port}/health/") == 200):
            assert make.poll() is None and time.monotonic() < deadline, "\n".join(lines)
            time.sleep(0.5)
        [runall] = child_pids(make.pid)
        assert "manage.py runall" in cmdline(runall)  # exec: no shell in between that would swallow the signal
        children = {m.group(1): int(m.group(2)) for m in re.finditer(r"runall: started (\w+) \(pid (\d+)\)", "\n".join(lines))}
        assert set(children) == {"web", "worker", "beat"}
        database = database_pid(dev_env)
        assert database in child_pids(runall)

        if to == "group":
            os.killpg(make.pid, signum)
        else:
            make.send_signal(signum)
        make.wait(60)
    finally:
        if make.poll() is None:
            make.kill()
    output = "\n".join(lines)
    assert "runall: stopped" in output and "database: PostgreSQL stopped" in output, output
    assert "killed at once" not in output, output
    deadline = time.monotonic() + 10
    while (Path(f"/proc/{runall}").exists() or any(group_members(pid) for pid in children.values())) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(group_members(pid) for pid in children.values()), output
    assert not Path(f"/proc/{database}").exists() and database_pid(dev_env) is None
    assert http_status(f"http://127.0.0.1:{port}/health/") is None


def test_the_oauth_redirect_follows_the_port_unless_public_base_url_is_set(tmp_path):
    code = "from social_media.services.connect import callback_url; print(callback_url('mastodon'))"
    env = base_env(DEBUG="1", VAR_DIR=tmp_path / "var")

    served = run_python(["manage.py", "shell", "-c", code], {**env, "PORT": "18000"})
    public = run_python(["manage.py", "shell", "-c", code], {**env, "PORT": "18000", "PUBLIC_BASE_URL": "https://sched.example/"})

    assert served.stdout.splitlines()[-1] == "http://127.0.0.1:18000/api/v1/accounts/callback/mastodon/", served.stderr
    assert public.stdout.splitlines()[-1] == "https://sched.example/api/v1/accounts/callback/mastodon/", public.stderr


@pytest.mark.parametrize(("admin", "line"), [
    (dict(username="admin", password="pw-1"), "Log in as admin with password pw-1  (shown this once"),
    (dict(username="root", from_environment=True), "Log in as root with the password in DJANGO_SUPERUSER_PASSWORD"),
    (dict(username="boss"), "Log in as boss  (its password was shown the first time; `manage.py changepassword boss`"),
])
def test_the_start_up_block_names_the_address_the_user_and_how_to_stop(admin, line):
    from accounts.management.commands.ensure_admin import AdminEnsured
    from social_media.management.commands.runall import start_up_block

    lines = start_up_block(host="127.0.0.1", port=8001, admin=AdminEnsured("summary", **admin)).splitlines()

    assert len(lines) == 5
    assert lines[1].startswith("  Scheduler running at http://127.0.0.1:8001/")
    assert lines[2].startswith(f"  {line}")
    assert lines[3].startswith("  Stop with Ctrl-C")
