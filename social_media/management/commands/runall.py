"""Run the whole scheduler on one machine: the web server, one Celery worker consuming every queue,
and Celery beat, as child processes of this command.

Ctrl-C or SIGTERM stops all three (SIGTERM, then SIGKILL after a grace period; a second Ctrl-C kills
at once). When one of them dies on its own the others are stopped and the command exits non-zero.
Before starting, the beat schedule from settings is synced into django-celery-beat's tables.
"""

import ctypes
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from config.beat import sync_beat_schedule
from config.numbers import digits
from config.queues import CeleryQueue

GRACE_SECONDS = 15
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

    def run(self):
        """Start everything and supervise; returns the exit status for the command."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.start()
            while True:
                if self.signals_received:
                    self.write("runall: stopping web, worker and beat")
                    self.stop()
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
        celery = [python, "-m", "celery", "-A", "config"]
        queues = ",".join(queue.value for queue in CeleryQueue)
        return {
            "web": [python, str(settings.BASE_DIR / "manage.py"), "runserver", f"{host}:{port}", *(["--noreload"] if noreload else [])],
            "worker": [*celery, "worker", "-Q", queues, "--pool", "threads", "--concurrency", str(concurrency), "-n", "runall@%h", "--loglevel", "INFO"],
            "beat": [*celery, "beat", "--loglevel", "INFO"],
        }

    def handle(self, *args, host, port, concurrency, noreload, **options):
        port = port if port is not None else _default_port()
        os.environ["PORT"] = str(port)  # the children's PUBLIC_BASE_URL default (OAuth redirects) follows it
        if concurrency < 1:
            raise CommandError("--concurrency must be at least 1.")
        try:
            result = sync_beat_schedule()
        except DatabaseError as exc:
            raise CommandError(f"The database is not ready ({exc.__class__.__name__}); run `manage.py migrate` first.") from exc
        self.stdout.write(f"runall: beat schedule {result.summary()}")
        self.stdout.flush()

        def write(line):
            self.stdout.write(line)
            self.stdout.flush()

        code = ProcessGroup(self.commands(host=host, port=port, concurrency=concurrency, noreload=noreload), write).run()
        if code:
            raise CommandError("one process died, so all were stopped", returncode=code)
