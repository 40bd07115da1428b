"""Under /api/ every error is JSON in the one shape (config/middleware.py, config/exceptions.py):
a 500 carries a request id that is also logged, never a traceback; a body too large is a 413."""

import json
import logging

import pytest
from django.test import Client

from tests.api.raising_urls import SECRET_IN_MESSAGE

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.raising_urls")]


@pytest.fixture
def client(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def server_error_of(response):
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "server_error"
    assert SECRET_IN_MESSAGE not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert error["request_id"] == response["X-Request-ID"]
    return error


@pytest.mark.parametrize("url", ["/api/v1/test/raise/", "/api/v1/test/raise-plain/"])
def test_a_500_under_api_is_json_with_a_request_id_that_is_logged(client, caplog, url):
    with caplog.at_level(logging.ERROR, logger="config.errors"):
        error = server_error_of(client.get(url))

    records = [r for r in caplog.records if r.name == "config.errors"]
    assert len(records) == 1
    assert error["request_id"] in records[0].getMessage()
    assert records[0].exc_info and records[0].exc_info[1].args == (SECRET_IN_MESSAGE,)


def test_a_500_under_api_is_json_even_with_debug_on(client, settings):
    settings.DEBUG = True
    server_error_of(client.get("/api/v1/test/raise/"))


def test_a_500_elsewhere_stays_a_page(client):
    response = client.get("/not-api/raise/")
    assert response.status_code == 500
    assert "application/json" not in response["Content-Type"]


def test_every_response_carries_a_request_id(client):
    first, second = client.get("/api/v1/auth/me/"), client.get("/api/v1/auth/me/")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]


def test_a_json_body_over_the_limit_is_413_json(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"username": "a" * 2000, "password": "b"})

    response = client.post("/api/v1/auth/login/", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


@pytest.mark.parametrize("url", ["/api/v1/auth/login/", "/api/v1/test/form/"])
def test_a_form_body_over_the_limit_is_413_json(client, settings, url):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = client.post(url, {"username": "a" * 2000, "password": "b"})

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_a_body_within_the_limit_is_read(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/api/v1/test/raise/", json.dumps({"text": "a" * 900}), content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"received": {"text": "a" * 900}}
