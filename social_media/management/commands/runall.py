"""Run the whole scheduler on one machine, as `make run` does: the database, then the web server, one
Celery worker consuming every queue, and Celery beat, as child processes of this command.

With no DATABASE_URL it first starts the private PostgreSQL under $VAR_DIR/postgres (config/embedded_db.py)
and stops it last. Then it migrates, makes sure an admin exists (accounts' ensure_admin), syncs the beat
schedule from settings, starts the three processes and, once the web server answers, ends start-up with
one short block: the address, the user, the password (the first time only) and how to stop.

Ctrl-C or SIGTERM stops everything (SIGTERM, then SIGKILL after a grace period; a second Ctrl-C kills
at once); so does SIGINT sent to `make` alone when make runs us (see follow_make_interrupts). When one
of them dies on its own the others are stopped and the command exits non-zero.
"""

import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import nullcontext
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

from accounts.management.commands.ensure_admin import admin_ensure
from config import embedded_db
from config.beat import sync_beat_schedule
from config.celery import WORKER_READY_FILE_ENV
from config.numbers import digits
from config.queues import CeleryQueue

GRACE_SECONDS = 15
# Signals GNU make dies of without passing them on (it forwards SIGTERM itself).
MAKE_UNFORWARDED_SIGNALS = (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT)
# Set by every handler of ours: a stop was asked for (so the make watcher adds no second SIGINT, which
# would read as an impatient second Ctrl-C).
STOP_ASKED = threading.Event()
POLL_SECONDS = 0.2
PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """In the child, before exec: get SIGTERM if runall itself is killed (Linux), so nothing is orphaned."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):
            pass


def _signal_group(process, signum):
    """Signal the child's whole process group (runserver's reloader child, pool processes)."""
    try:
        os.killpg(process.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


class ProcessGroup:
    def __init__(self, commands, write):
        self.commands = commands
        self.write = write
        self.processes = {}
        self.signals_received = 0
        self.stopped = False

    def _on_signal(self, signum, frame):
        STOP_ASKED.set()
        self.signals_received += 1
        if self.signals_received > 1:  # impatient second Ctrl-C: no more grace
            for process in self.processes.values():
                _signal_group(process, signal.SIGKILL)

    def start(self):
        for name, command in self.commands.items():
            process = subprocess.Popen(command, start_new_session=True, preexec_fn=_die_with_parent)
            self.processes[name] = process
            self.write(f"runall: started {name} (pid {process.pid}): {' '.join(command)}")

    def stop(self):
        if self.stopped:
            return
        self.stopped = True
        for process in self.processes.values():
            if process.poll() is None:
                _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        while time.monotonic() < deadline and any(p.poll() is None for p in self.processes.values()):
            time.sleep(POLL_SECONDS)
        for name, process in self.processes.items():
            if process.poll() is None:
                self.write(f"runall: {name} did not stop within {GRACE_SECONDS}s; killing it")
            _signal_group(process, signal.SIGKILL)  # also reaps leftovers of a group whose leader exited
            process.wait()

    def run(self, *, ready=lambda: True, on_ready=lambda: None):
        """Start everything and supervise; calls `on_ready` once `ready()` is true; returns the exit status."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        announced = False
        try:
            self.start()
            while True:
                if not announced and not self.signals_received and ready():
                    announced = True
                    on_ready()
                if self.signals_received:
                    self.write("runall: stopping web, worker and beat")
                    self.stop()
                    if self.signals_received > 1:
                        self.write("runall: a second signal came: what was still running was killed at once")
                    self.write("runall: stopped")
                    return 0
                for name, process in self.processes.items():
                    code = process.poll()
                    if code is not None:
                        self.write(f"runall: {name} exited with code {code}; stopping the others")
                        self.stop()
                        return code if code > 0 else 1
                time.sleep(POLL_SECONDS)
        finally:
            self.stop()  # also when start() or the loop raised
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _default_port():
    raw = os.environ.get("PORT", "8000")
    port = digits(raw)
    if port is None or not 0 < port < 65536:
        raise CommandError(f"PORT must be a TCP port number, not {raw!r}.")
    return port


def _caught_signals(pid):
    """The signals process `pid` has handlers for (SigCgt in /proc), or None when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    mask = next((int(line.split()[1], 16) for line in status.splitlines() if line.startswith("SigCgt:")), 0)
    return {sig for sig in MAKE_UNFORWARDED_SIGNALS if mask & (1 << (sig - 1))}


def follow_make_interrupts():
    """When our parent is GNU make: stop (as on Ctrl-C) when make is interrupted or goes away.

    Ctrl-C reaches every process of the terminal's foreground group, us included; but a SIGINT sent to
    make alone (`kill -INT <pid of make>`) is passed on to nobody: make's handler (fatal_error_signal)
    forwards only SIGTERM, assumes its children got the SIGINT too, resets the signal to its default
    action and waits for them before it dies of it, so make and everything under it would run on.
    That reset is visible in /proc/<make>/status, so a thread watches make's caught signals and, the
    moment make stops catching SIGINT (or SIGHUP, SIGQUIT) or is gone, sends us the SIGINT it did not.
    """
    parent = os.getppid()
    try:
        command = Path(f"/proc/{parent}/comm").read_text().strip()
    except OSError:
        return None
    initial = _caught_signals(parent)
    if "MAKELEVEL" not in os.environ or command not in ("make", "gmake") or not initial:
        return None

    def watch():
        while True:
            time.sleep(POLL_SECONDS)
            caught = _caught_signals(parent)
            if caught is None or initial - caught or os.getppid() != parent:
                if not STOP_ASKED.is_set():  # Ctrl-C in the terminal reached us as well as make
                    os.kill(os.getpid(), signal.SIGINT)
                return

    thread = threading.Thread(target=watch, name="follow-make", daemon=True)
    thread.start()
    return thread


def _interrupt(signum, frame):
    """Until the children run, SIGINT and SIGTERM unwind, so the database started for us is stopped."""
    STOP_ASKED.set()
    raise KeyboardInterrupt


def _serving(host, port):
    try:
        with socket.create_connection(("127.0.0.1" if host in ("0.0.0.0", "") else host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _settled(marker, seconds=0.3):
    """The file exists and is `seconds` old: the worker touches it as it logs its "ready." line."""
    try:
        return time.time() - marker.stat().st_mtime >= seconds
    except OSError:
        return False


def _pending_migrations():
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def start_up_block(*, host, port, admin):
    """The lines that end start-up: where to go, who to log in as, how to stop."""
    address = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}/"
    if admin.password:
        user = f"Log in as {admin.username} with password {admin.password}  (shown this once; change it at /admin/password_change/)"
    elif admin.from_environment:
        user = f"Log in as {admin.username} with the password in DJANGO_SUPERUSER_PASSWORD"
    else:
        user = f"Log in as {admin.username}  (its password was shown the first time; `manage.py changepassword {admin.username}` sets a new one)"
    rule = "-" * 78
    return "\n".join([
        rule,
        f"  Scheduler running at {address}  (admin: {address}admin/, API docs: {address}api/docs/)",
        f"  {user}",
        "  Stop with Ctrl-C (or SIGTERM): the web server, worker, beat and the database all stop.",
        rule,
    ])


class Command(BaseCommand):
    help = (
        "Run the web server (runserver on 127.0.0.1:$PORT, default 8000), a Celery worker for every queue "
        "and Celery beat together; Ctrl-C stops all of them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address runserver binds (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=None, help="Port for runserver (default $PORT or 8000).")
        parser.add_argument("--concurrency", type=int, default=4, help="Worker threads (default 4).")
        parser.add_argument("--noreload", action="store_true", help="Do not restart runserver on code changes.")

    def commands(self, *, host, port, concurrency, noreload):
        python = sys.executable
        # --quiet: no banners, so the start-up block stays the last thing printed.
        celery = [python, "-m", "celery", "-A", "config", "--quiet"]
        queues = ",".join(queue.value for queue in CeleryQueue)
        return {
            "web": [python, str(settings.BASE_DIR / "manage.py"), "runserver", f"{host}:{port}", *(["--noreload"] if noreload else [])],
            "worker": [*celery, "worker", "-Q", queues, "--pool", "threads", "--concurrency", str(concurrency), "-n", "runall@%h", "--loglevel", settings.LOG_LEVEL],
            "beat": [*celery, "beat", "--loglevel", settings.LOG_LEVEL],
        }

    def handle(self, *args, host, port, concurrency, noreload, **options):
        port = port if port is not None else _default_port()
        os.environ["PORT"] = str(port)  # the children's PUBLIC_BASE_URL default (OAuth redirects) follows it
        if concurrency < 1:
            raise CommandError("--concurrency must be at least 1.")

        def write(line):
            self.stdout.write(line)
            self.stdout.flush()

        if _serving(host, port):
            raise CommandError(f"Port {port} is already in use (another `make run`?): stop that, or choose another port (PORT=8001 make run).")
        previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
        follow_make_interrupts()
        try:
            database = embedded_db.serving(settings.VAR_DIR, write=write) if settings.EMBEDDED_DATABASE else nullcontext()
            with database, tempfile.TemporaryDirectory(prefix="runall-") as scratch:
                admin = self._prepare(write)
                worker_ready = Path(scratch) / "worker-ready"  # touched by the worker (config.logging.TouchOnWorkerReady)
                os.environ[WORKER_READY_FILE_ENV] = str(worker_ready)
                group = ProcessGroup(self.commands(host=host, port=port, concurrency=concurrency, noreload=noreload), write)
                code = group.run(
                    ready=lambda: _settled(worker_ready) and _serving(host, port),
                    on_ready=lambda: write(start_up_block(host=host, port=port, admin=admin)),
                )
        except KeyboardInterrupt:
            write("runall: interrupted while starting; stopped")
            return
        except embedded_db.EmbeddedDatabaseError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if code:
            raise CommandError("one process died, so all were stopped", returncode=code)

    def _prepare(self, write):
        """Migrate, make sure an admin exists and sync the beat schedule; returns what ensure_admin did."""
        try:
            pending = _pending_migrations()
            call_command("migrate", interactive=False, verbosity=0)
        except DatabaseError as exc:
            raise CommandError(
                f"The database at {settings.DATABASES['default'].get('HOST') or 'localhost'} is not reachable "
                f"({exc.__class__.__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}); "
                "check DATABASE_URL, or unset it to use the private PostgreSQL under var/."
            ) from exc
        write(f"runall: database migrated ({pending} migrations applied)" if pending else "runall: database up to date")
        admin = admin_ensure()
        if not admin.password:  # a generated password is shown once, in the start-up block
            write(f"runall: ensure_admin: {admin.line}")
        write(f"runall: beat schedule {sync_beat_schedule().summary()}")
        return admin
