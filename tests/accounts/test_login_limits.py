"""Password guessing: the web, admin and API logins share limits that slow a guesser down without
letting a stranger lock the owner out (accounts/login_limits.py)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.login_limits import ACCOUNT_FAILURES, DEVICE_COOKIE, IP_ACCOUNT_FAILURES
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"
WEB_LOGIN = "/login/"
API_LOGIN = "/api/v1/auth/login/"
OWNER_IP, ATTACKER_IP = "192.0.2.10", "203.0.113.66"


@pytest.fixture
def staff(db):
    user = UserFactory(username="root")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def admin_login(client, username, password, ip):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip)


def web_login(client, username, password, ip):
    return client.post(WEB_LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def api_login(username, password, ip):
    return APIClient(REMOTE_ADDR=ip).post(API_LOGIN, {"username": username, "password": password}, format="json")


def logged_in_admin(client):
    return client.get("/admin/").status_code == 200


def assert_throttled(response, words):
    assert response.status_code == 429, response.content
    error = response.json()["error"]
    assert error["code"] == "throttled" and words in error["message"] and error["retry_after"] > 0
    return error


def guess_from_many_addresses(username, count):
    """`count` wrong passwords, each from its own address (under every per-address budget)."""
    for n in range(count):
        assert api_login(username, "wrong", f"10.{n // 65536}.{n // 256 % 256}.{n % 256}").status_code == 401


# --- the attacker ------------------------------------------------------------------------------


def test_fifty_wrong_admin_passwords_from_one_address_then_the_right_one_is_refused_there(staff):
    client = Client()
    for n in range(50):
        assert admin_login(client, "root", f"guess-{n}", ATTACKER_IP).status_code == 200
    answer = admin_login(client, "root", PASSWORD, ATTACKER_IP)
    assert answer.status_code == 200 and b"Too many" in answer.content
    assert not logged_in_admin(client)


def test_an_address_gets_its_budget_of_wrong_passwords_per_account_on_every_login(staff):
    for _ in range(IP_ACCOUNT_FAILURES):
        assert api_login("root", "wrong", ATTACKER_IP).status_code == 401
    assert_throttled(api_login("ROOT", PASSWORD, ATTACKER_IP), "this account from here")
    web = web_login(Client(), "root", PASSWORD, ATTACKER_IP)
    assert web.status_code == 200 and b"Too many wrong passwords for this account" in web.content
    admin = admin_login(Client(), "root", PASSWORD, ATTACKER_IP)
    assert b"Too many wrong passwords for this account" in admin.content
    # ...and only for that account: the address may still sign in to another one.
    UserFactory(username="neighbour")
    assert api_login("neighbour", PASSWORD, ATTACKER_IP).status_code == 200


def test_distributed_guessing_hits_the_per_account_cap_for_unknown_addresses(staff):
    guess_from_many_addresses("root", ACCOUNT_FAILURES)
    error = assert_throttled(api_login("root", PASSWORD, "198.51.100.250"), "this account")
    assert "signed in from before" in error["message"]
    assert b"Too many wrong passwords for this account" in web_login(Client(), "root", PASSWORD, "198.51.100.251").content


def test_the_admin_ip_limit_holds_across_usernames_and_forged_forwarded_for(staff):
    client = Client()
    for n in range(30):
        admin_login(client, f"user{n}", "wrong", "192.0.2.7")
    forged = client.post(ADMIN_LOGIN, {"username": "root", "password": PASSWORD}, REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert b"Too many attempts from your address" in forged.content and not logged_in_admin(client)
    assert admin_login(client, "root", PASSWORD, "192.0.2.8").status_code == 302 and logged_in_admin(client)


def test_a_forged_known_device_cookie_is_an_unknown_device(staff):
    guess_from_many_addresses("root", ACCOUNT_FAILURES)
    client = Client()
    client.cookies[DEVICE_COOKIE] = "eyJkIjoiMSIsImEiOltdfQ:forged:signature"
    assert b"Too many wrong passwords" in web_login(client, "root", PASSWORD, "198.51.100.9").content


def test_a_known_device_has_its_own_budget_of_wrong_passwords(staff):
    device = Client()
    assert web_login(device, "root", PASSWORD, OWNER_IP).status_code == 302
    device.post("/logout/")
    for _ in range(IP_ACCOUNT_FAILURES):
        assert web_login(device, "root", "wrong", "198.51.100.77").status_code == 200
    assert b"Too many wrong passwords for this account from here" in web_login(device, "root", PASSWORD, "198.51.100.78").content


# --- the owner ---------------------------------------------------------------------------------


def test_the_owner_signs_in_from_their_address_while_an_attacker_elsewhere_is_blocked(staff):
    for _ in range(IP_ACCOUNT_FAILURES + 5):
        api_login("root", "wrong", ATTACKER_IP)
    assert_throttled(api_login("root", PASSWORD, ATTACKER_IP), "this account")

    assert api_login("root", PASSWORD, OWNER_IP).status_code == 200
    assert web_login(Client(), "root", PASSWORD, OWNER_IP).status_code == 302
    client = Client()
    assert admin_login(client, "root", PASSWORD, OWNER_IP).status_code == 302 and logged_in_admin(client)


def test_the_owner_signs_in_from_a_known_device_while_distributed_guessing_locks_everyone_else_out(staff):
    browser = Client()
    first = web_login(browser, "root", PASSWORD, OWNER_IP)
    assert first.status_code == 302
    cookie = first.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["max-age"] > 30 * 86400
    browser.post("/logout/")

    guess_from_many_addresses("root", ACCOUNT_FAILURES)
    assert_throttled(api_login("root", PASSWORD, "198.51.100.40"), "this account")

    # The same browser, now on another network (a café): still known, still signs in.
    assert web_login(browser, "root", PASSWORD, "198.51.100.41").status_code == 302
    browser.post("/logout/")
    assert admin_login(browser, "root", PASSWORD, "198.51.100.42").status_code == 302
    # An API client from the address the owner signed in from before is known as well.
    assert api_login("root", PASSWORD, OWNER_IP).status_code == 200


def test_a_successful_login_clears_its_sources_failures(staff):
    client = Client()
    for _ in range(IP_ACCOUNT_FAILURES - 1):
        admin_login(client, "root", "wrong", "203.0.113.60")
    assert admin_login(client, "root", PASSWORD, "203.0.113.60").status_code == 302
    client.logout()
    for _ in range(IP_ACCOUNT_FAILURES - 1):
        admin_login(client, "root", "wrong", "203.0.113.60")
    assert admin_login(client, "root", PASSWORD, "203.0.113.60").status_code == 302


def test_admin_and_api_logins_share_the_per_ip_budget(staff):
    client, api = Client(), APIClient(REMOTE_ADDR="203.0.113.80")
    for n in range(20):
        admin_login(client, f"nobody{n}", "wrong", "203.0.113.80")
    for n in range(10):
        api.post(API_LOGIN, {"username": f"nobody{n}", "password": "x"}, format="json")
    assert api.post(API_LOGIN, {"username": "root", "password": PASSWORD}, format="json").status_code == 429
