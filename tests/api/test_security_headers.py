"""Token responses are never cached; every page carries the Content-Security-Policy; the admin and the
API docs (Swagger UI, ReDoc from drf-spectacular-sidecar) load only same-origin assets and work under
it, checked in a real Chromium."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db

DOC_PAGES = ["/api/docs/", "/api/redoc/"]


def policy_of(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ") if part}


@pytest.fixture
def password_user(user):
    user.set_password("a-long-enough-password")
    user.save()
    return user


def test_login_and_refresh_answers_are_never_stored(api, password_user):
    login = api.post("/api/v1/auth/login/", {"username": password_user.username, "password": "a-long-enough-password"}, format="json")
    assert login.status_code == 200
    assert "no-store" in login["Cache-Control"]

    refresh = api.post("/api/v1/auth/refresh/", {"refresh": login.json()["refresh"]}, format="json")
    assert refresh.status_code == 200
    assert "no-store" in refresh["Cache-Control"]

    refused = api.post("/api/v1/auth/login/", {"username": password_user.username, "password": "wrong"}, format="json")
    assert refused.status_code == 401 and "no-store" in refused["Cache-Control"]


@pytest.mark.parametrize("path", ["/admin/login/", "/api/v1/auth/me/", "/health/", *DOC_PAGES])
def test_every_page_sends_the_policy(path):
    policy = policy_of(Client().get(path))
    assert policy["script-src"][0] == "'self'" and "'unsafe-inline'" not in policy["script-src"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]


def test_only_the_redoc_page_allows_inline_styles():
    assert "'unsafe-inline'" not in policy_of(Client().get("/api/docs/"))["style-src"]
    assert "'unsafe-inline'" not in policy_of(Client().get("/admin/login/"))["style-src"]
    assert "'unsafe-inline'" in policy_of(Client().get("/api/redoc/"))["style-src"]


@pytest.mark.parametrize("path", ["/admin/login/", *DOC_PAGES])
def test_pages_load_only_our_own_static_files_and_no_inline_script(path):
    html = Client().get(path).content.decode()
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert assets
    for url in assets:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
        else:
            assert url.startswith(path), url  # the Swagger init script, from the page's own URL
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert "googleapis" not in html and "cdn" not in html.lower()


def test_the_swagger_init_script_is_served_from_the_docs_url():
    response = Client().get("/api/docs/?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in response.content.decode()
