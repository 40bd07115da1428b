"""GET /health/ against the real PostgreSQL and Redis the test runner starts."""

import time

import pytest
from django.test import override_settings

from tests.services import free_port

pytestmark = pytest.mark.django_db

TOKEN = "monitoring-token-0123456789"


@pytest.fixture
def client(client, settings):
    """The monitoring's view: the detail token sent with every request (anonymous callers: see below)."""
    settings.HEALTH_DETAIL_TOKEN = TOKEN
    client.defaults["HTTP_X_HEALTH_TOKEN"] = TOKEN
    return client


def dead_redis_url(password=""):
    auth = f":{password}@" if password else ""
    return f"redis://{auth}127.0.0.1:{free_port()}/0"


def test_it_answers_200_when_database_cache_and_broker_are_up(client):
    response = client.get("/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}
    assert body["failed"] == []
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_needs_no_authentication_and_ignores_the_api_throttle(client, settings):
    settings.PLAN_LIMITS = {plan: {**limits, "api_calls_per_hour": 1} for plan, limits in settings.PLAN_LIMITS.items()}

    statuses = {client.get("/health/").status_code for _ in range(3)}

    assert statuses == {200}


def test_it_answers_503_naming_the_cache_when_redis_is_down(client):
    dead_cache = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": dead_redis_url()}}
    with override_settings(CACHES=dead_cache):
        response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["cache"]
    assert body["checks"]["cache"].startswith("error: ")
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] == "ok"


def test_it_answers_503_naming_the_broker_when_the_broker_is_down_and_does_not_hang(client):
    with override_settings(CELERY_BROKER_URL=dead_redis_url()):
        started = time.monotonic()
        response = client.get("/health/")
        elapsed = time.monotonic() - started

    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker"]
    assert body["checks"]["broker"].startswith("error: ")
    assert body["checks"]["cache"] == "ok"
    assert elapsed < 5


def test_it_never_shows_connection_secrets_of_a_failed_check(client):
    with override_settings(CELERY_BROKER_URL=dead_redis_url(password="s3cret-broker-pw")):
        response = client.get("/health/")

    assert response.status_code == 503
    assert "s3cret-broker-pw" not in response.content.decode()
    assert "127.0.0.1" not in response.content.decode()


def test_it_refuses_methods_other_than_get_and_head(client):
    assert client.post("/health/").status_code == 405
    assert client.head("/health/").status_code == 200


def test_its_container_probe_reports_up_and_down(live_server):
    from config.health import probe

    assert probe(f"{live_server.url}/health/", host="localhost") is True
    assert probe(f"http://127.0.0.1:{free_port()}/health/", host="localhost", timeout=1) is False


def test_an_anonymous_caller_learns_only_up_or_down(settings):
    from django.test import Client

    settings.HEALTH_DETAIL_TOKEN = TOKEN
    for headers in ({}, {"HTTP_X_HEALTH_TOKEN": "wrong"}, {"HTTP_X_HEALTH_TOKEN": ""}):
        response = Client().get("/health/", **headers)
        assert response.status_code == 200 and response.json() == {"status": "ok"}
    with override_settings(CELERY_BROKER_URL=dead_redis_url()):
        down = Client().get("/health/")
    assert down.status_code == 503 and down.json() == {"status": "unavailable"}


def test_without_a_token_setting_only_staff_see_the_detail(settings):
    from django.test import Client

    from tests.factories import UserFactory

    settings.HEALTH_DETAIL_TOKEN = ""
    assert Client().get("/health/", HTTP_X_HEALTH_TOKEN="").json() == {"status": "ok"}
    member, staff = Client(), Client()
    member.force_login(UserFactory())
    admin = UserFactory()
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    staff.force_login(admin)
    assert member.get("/health/").json() == {"status": "ok"}
    body = staff.get("/health/").json()
    assert body["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"} and body["encryption"] == "ok"
