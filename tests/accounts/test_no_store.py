"""Signed-in answers are never stored by a browser or proxy: Cache-Control: no-store."""

import pytest
from django.test import Client

from tests.accounts.conftest import bearer_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def no_store(response):
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/", "/calendar/", "/library/", "/team/", "/profile/", "/accounts/"])
def test_signed_in_pages_are_sent_no_store(path):
    browser = Client()
    browser.force_login(UserFactory())

    response = browser.get(path)

    assert response.status_code == 200
    assert no_store(response) and "private" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/api/v1/auth/me/", "/api/v1/posts/", "/api/v1/workspaces/"])
def test_api_answers_to_a_token_are_sent_no_store(path):
    response = bearer_client(UserFactory()).get(path)

    assert response.status_code == 200 and no_store(response)


def test_anonymous_pages_are_left_to_their_own_caching():
    response = Client().get("/api/docs/")
    assert response.status_code == 200 and not no_store(response)
