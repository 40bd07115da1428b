import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def base_env(**extra):
    """A clean environment for a child process: nothing of the test run's settings leaks in."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", PYTHONUNBUFFERED="1")
    env.update({name: str(value) for name, value in extra.items()})
    return env


def run_python(args, env, timeout=120):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def production_env(tmp_path):
    import secrets

    from cryptography.fernet import Fernet

    return base_env(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="scheduler.example.com",
        DATABASE_URL="postgres://scheduler:pw@db.internal:5432/scheduler",
        REDIS_URL="redis://cache.internal:6379/0",
        ENCRYPTION_KEYS=Fernet.generate_key().decode(),  # "minimum for production" (check --deploy warns without)
        VAR_DIR=tmp_path / "var",
    )


def var_dir_factory():
    """Make fresh VAR_DIRs the private PostgreSQL can live in; remove them afterwards.

    As root the server runs as the `postgres` user, who cannot enter pytest's tmp_path (mode 0700 under
    /tmp/pytest-of-root), so these come from mkdtemp with their mode opened to 0755.
    """
    made = []

    def make(name="var"):
        root = Path(tempfile.mkdtemp(prefix="sched-ops-"))
        root.chmod(0o755)
        made.append(root)
        return root / name

    return make, lambda: [shutil.rmtree(root, ignore_errors=True) for root in made]


@pytest.fixture(scope="module")
def make_var_dir():
    make, cleanup = var_dir_factory()
    yield make
    cleanup()
