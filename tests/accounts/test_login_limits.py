"""Password guessing: /admin/login/ and the API login share per-IP and per-account limits."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.login_limits import ACCOUNT_FAILURES
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"
API_LOGIN = "/api/v1/auth/login/"


@pytest.fixture
def staff(db):
    user = UserFactory(username="root")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def admin_login(client, username, password, ip):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip)


def logged_in(client):
    return client.get("/admin/").status_code == 200


def test_fifty_wrong_admin_passwords_then_the_right_one_is_refused(staff):
    client = Client()
    for n in range(50):
        assert admin_login(client, "root", f"guess-{n}", "203.0.113.5").status_code == 200
    answer = admin_login(client, "root", PASSWORD, "203.0.113.5")
    assert answer.status_code == 200 and b"Too many" in answer.content
    assert not logged_in(client)


def test_the_admin_account_limit_holds_across_addresses(staff):
    client = Client()
    for n in range(ACCOUNT_FAILURES):
        admin_login(client, "root", "wrong", f"198.51.100.{n}")
    answer = admin_login(client, "root", PASSWORD, "198.51.100.200")
    assert b"Too many wrong passwords for this account" in answer.content and not logged_in(client)


def test_the_admin_ip_limit_holds_across_usernames_and_forged_forwarded_for(staff):
    client = Client()
    for n in range(30):
        admin_login(client, f"user{n}", "wrong", "192.0.2.7")
    forged = client.post(ADMIN_LOGIN, {"username": "root", "password": PASSWORD}, REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert b"Too many attempts from your address" in forged.content and not logged_in(client)
    assert admin_login(client, "root", PASSWORD, "192.0.2.8").status_code == 302 and logged_in(client)


def test_a_successful_admin_login_clears_the_accounts_failures(staff):
    client = Client()
    for _ in range(ACCOUNT_FAILURES - 1):
        admin_login(client, "root", "wrong", "203.0.113.60")
    assert admin_login(client, "root", PASSWORD, "203.0.113.61").status_code == 302
    client.logout()
    for _ in range(ACCOUNT_FAILURES - 1):
        admin_login(client, "root", "wrong", "203.0.113.62")
    assert admin_login(client, "root", PASSWORD, "203.0.113.63").status_code == 302


def test_the_api_login_locks_an_account_after_wrong_passwords_from_many_addresses():
    UserFactory(username="erin")
    UserFactory(username="frank")
    for n in range(ACCOUNT_FAILURES):
        wrong = APIClient(REMOTE_ADDR=f"198.51.100.{n}").post(API_LOGIN, {"username": "erin", "password": "guess"}, format="json")
        assert wrong.status_code == 401
    refused = APIClient(REMOTE_ADDR="198.51.100.250").post(API_LOGIN, {"username": "ERIN", "password": PASSWORD}, format="json")
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "throttled"
    assert "this account" in refused.json()["error"]["message"]
    assert APIClient(REMOTE_ADDR="198.51.100.251").post(API_LOGIN, {"username": "frank", "password": PASSWORD}, format="json").status_code == 200


def test_admin_and_api_logins_share_the_per_ip_budget(staff):
    client, api = Client(), APIClient(REMOTE_ADDR="203.0.113.80")
    for n in range(20):
        admin_login(client, f"nobody{n}", "wrong", "203.0.113.80")
    for n in range(10):
        api.post(API_LOGIN, {"username": f"nobody{n}", "password": "x"}, format="json")
    assert api.post(API_LOGIN, {"username": "root", "password": PASSWORD}, format="json").status_code == 429
