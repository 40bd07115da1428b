"""requirements.txt alone runs production: a fresh venv with nothing else (no test packages, which
bring in `packaging` and others that a runtime import might silently rely on), gunicorn, a Celery
worker and beat on PostgreSQL + Redis with DEBUG off, and one post scheduled through the API is
published once to a local Mastodon fake.

Marked `production` (slow: it installs a venv from uv's wheel cache and starts three processes); it
runs in `make test`, and `-m "not production"` leaves it out locally."""

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Membership
from social_media.models import PostTarget, Status
from tests.engine.processes import ROOT, stop, wait_until, worker_env
from tests.factories import MembershipFactory
from tests.services import free_port, wait_for_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e, pytest.mark.production]


@pytest.fixture(scope="module")
def production_venv(tmp_path_factory):
    venv = tmp_path_factory.mktemp("prod") / "venv"
    uv = [sys.executable, "-m", "uv"]
    subprocess.run([*uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True, cwd=ROOT)
    subprocess.run([*uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"), "-r", "requirements.txt"], check=True, cwd=ROOT)
    return venv / "bin"


def production_env(var_dir):
    env = worker_env()
    for name in list(env):
        if name.startswith(("PYTEST", "DJANGO_SETTINGS")) or name == "PYTHONPATH":
            env.pop(name)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings", DEBUG="0", SECRET_KEY=settings.SECRET_KEY,
        ENCRYPTION_KEYS=",".join(settings.ENCRYPTION_KEYS), ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="0",
        ALLOW_INSECURE_NETWORK_URLS="1", VAR_DIR=str(var_dir), WEB_CONCURRENCY="1", DISPATCH_INTERVAL_SECONDS="1",
    )
    return env


def _healthy(url):
    try:
        return requests.get(url, timeout=20).status_code == 200
    except requests.RequestException:
        return False


def test_requirements_txt_alone_runs_web_worker_and_beat_and_publishes_a_post(production_venv, mastodon_account, mastodon_fake, tmp_path):
    env, port = production_env(tmp_path), free_port()
    log = (tmp_path / "processes.log").open("w")
    commands = [
        [production_venv / "gunicorn", "--config", "config/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "config.wsgi"],
        [production_venv / "celery", "-A", "config", "worker", "-Q", "posting,default", "-P", "threads", "-c", "4",
         "-n", "prod@%h", "--without-gossip", "--without-mingle", "-l", "INFO"],
        [production_venv / "celery", "-A", "config", "beat", "-l", "INFO", "--max-interval", "1"],
    ]
    procs = [subprocess.Popen([str(c) for c in cmd], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT) for cmd in commands]
    try:
        wait_for_port(port, timeout=60)
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _healthy(f"{base}/health/"), timeout=120, interval=1)  # a loaded machine boots slowly
        user = MembershipFactory(workspace=mastodon_account.workspace, role=Membership.Role.EDITOR).user
        api = requests.Session()
        api.headers.update(Authorization=f"Bearer {RefreshToken.for_user(user).access_token}", **{"X-Workspace": str(mastodon_account.workspace_id)})
        at = (timezone.now() + timedelta(seconds=15)).replace(microsecond=0)
        answer = api.post(
            f"{base}/api/v1/posts/",
            json={"content": "From requirements.txt alone", "target_accounts": [mastodon_account.id], "scheduled_time": at.isoformat()},
            timeout=60,
        )
        assert answer.status_code == 201, answer.text
        target = PostTarget.objects.get(post_id=answer.json()["id"])
        wait_until(lambda: PostTarget.objects.filter(id=target.id, status=Status.POSTED).exists(), timeout=90, interval=0.5)
        assert all(proc.poll() is None for proc in procs), "a production process exited"
    finally:
        for proc in procs:
            stop(proc)
        log.close()

    assert [p["text"] for p in mastodon_fake.posts_of(mastodon_account.remote["username"])] == ["From requirements.txt alone"]
    output = Path(log.name).read_text()
    assert "ModuleNotFoundError" not in output and "Traceback" not in output, output[-3000:]
