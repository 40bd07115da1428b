"""The production packaging: docker-compose.yml (parsed: no Docker engine here), Dockerfile, .dockerignore."""

import re
import shlex

import pytest
import yaml

from config.queues import CeleryQueue
from tests.ops.conftest import ROOT

APP_SERVICES = {"migrate", "web", "beat", *(f"worker-{queue.value}" for queue in CeleryQueue)}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command_of(service):
    command = service["command"]
    return command if isinstance(command, list) else shlex.split(command)


def test_it_runs_postgres_redis_web_beat_migrations_and_one_worker_per_queue(compose):
    services = compose["services"]

    assert set(services) == {"postgres", "redis", *APP_SERVICES}
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"


def test_each_worker_consumes_exactly_its_own_queue(compose):
    for queue in CeleryQueue:
        command = command_of(compose["services"][f"worker-{queue.value}"])
        assert command[:4] == ["celery", "-A", "config", "worker"]
        assert command[command.index("-Q") + 1] == queue.value


def test_the_posting_worker_runs_8_batches_at_once(compose):
    command = " ".join(command_of(compose["services"]["worker-posting"]))

    assert "celery -A config worker -Q posting --pool threads --concurrency 8" in command


def test_web_serves_with_gunicorn_and_beat_runs_the_database_scheduler(compose):
    services = compose["services"]

    assert command_of(services["web"])[0] == "gunicorn" and "config.wsgi" in command_of(services["web"])
    assert command_of(services["beat"])[:4] == ["celery", "-A", "config", "beat"]
    assert "--scheduler" not in command_of(services["beat"])  # settings.CELERY_BEAT_SCHEDULER applies


def test_app_services_read_env_file_and_reach_postgres_and_redis(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["env_file"] == ".env", name
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert "@postgres:5432/" in service["environment"]["DATABASE_URL"]
        assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0"


def test_app_services_start_after_healthy_databases_and_finished_migrations(compose):
    for name in APP_SERVICES - {"migrate"}:
        depends = compose["services"][name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
    assert "migrate --noinput" in " ".join(command_of(compose["services"]["migrate"]))
    assert "ensure_admin" in " ".join(command_of(compose["services"]["migrate"]))


def test_long_running_services_have_healthchecks(compose):
    services = compose["services"]
    for name in ["postgres", "redis", "web", *(f"worker-{queue.value}" for queue in CeleryQueue)]:
        assert services[name]["healthcheck"]["test"], name
    assert services["web"]["healthcheck"]["test"] == ["CMD", "python", "-m", "config.health"]


def test_web_is_published_on_loopback_only_for_the_tls_proxy(compose):
    assert all(port.startswith("127.0.0.1:") for port in compose["services"]["web"]["ports"])


def test_the_image_is_python_311_slim_with_ffmpeg_running_as_a_non_root_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    instructions = [line.split(None, 1) for line in dockerfile.splitlines() if line and not line[0].isspace() and not line.startswith("#")]
    users = [args.strip() for keyword, *rest in instructions if keyword == "USER" for args in rest]

    assert re.search(r"^FROM python:3\.11-slim$", dockerfile, re.M)
    assert "apt-get install -y --no-install-recommends ffmpeg" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert users and users[-1] not in {"root", "0"}
    assert instructions[-1][0] == "CMD" and "config.wsgi" in instructions[-1][1] and "gunicorn" in instructions[-1][1]


def test_the_build_context_leaves_out_secrets_and_local_state():
    ignored = set((ROOT / ".dockerignore").read_text().split())

    assert {".env", ".venv", "var", ".git"} <= ignored
    assert "!.env.example" in ignored


def test_gunicorn_logs_paths_without_query_strings():
    namespace = {}
    exec((ROOT / "config" / "gunicorn.conf.py").read_text(), namespace)

    assert "%(U)s" in namespace["access_log_format"]
    assert "%(r)s" not in namespace["access_log_format"] and "%(q)s" not in namespace["access_log_format"]
