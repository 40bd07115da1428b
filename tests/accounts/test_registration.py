"""One setting, REGISTRATION_ENABLED, governs self-registration on the web and the API (off: 404 on
both); an invitation still lets a person without an account create one and join."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.invitations import invitation_create
from accounts.models import Membership, User
from tests.accounts.conftest import assert_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
REGISTER = "/api/v1/auth/register/"
SIGNUP = "/api/v1/invitations/signup/"
STRONG = "plum-orbit-candle-47"
NEW_USER = {"username": "mallory", "email": "mallory@example.com", "password": STRONG}


def test_registration_is_off_by_default_on_the_api_and_the_web(settings):
    assert settings.REGISTRATION_ENABLED is False

    api = APIClient().post(REGISTER, NEW_USER, format="json")
    web = Client().post("/register/", {**NEW_USER, "timezone": "UTC"})

    assert_error(api, 404, code="not_found")
    assert web.status_code == 404 and Client().get("/register/").status_code == 404
    assert not User.objects.filter(username="mallory").exists()
    assert "Create an account" not in Client().get("/login/").content.decode()


def test_registration_on_opens_both(settings):
    settings.REGISTRATION_ENABLED = True

    assert APIClient().post(REGISTER, NEW_USER, format="json").status_code == 201
    assert Client().get("/register/").status_code == 200


@pytest.mark.parametrize(("env", "expected"), [
    ({"WEBAPP_REGISTRATION_ENABLED": "1"}, "True"),
    ({"REGISTRATION_ENABLED": "1"}, "True"),
    ({"WEBAPP_REGISTRATION_ENABLED": "1", "REGISTRATION_ENABLED": "0"}, "False"),
    ({}, "False"),
])
def test_the_old_name_is_read_as_a_deprecated_alias(env, expected):
    base = {k: v for k, v in os.environ.items() if k not in ("WEBAPP_REGISTRATION_ENABLED", "REGISTRATION_ENABLED")}
    code = (
        "import django; django.setup(); from django.conf import settings; from django.core import checks; "
        "print(settings.REGISTRATION_ENABLED, sorted({m.id for m in checks.run_checks() if m.id == 'scheduler.W010'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**base, **env, "DJANGO_SETTINGS_MODULE": "tests.settings"},
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    value, warned = out.stdout.split()[-2], "scheduler.W010" in out.stdout
    assert value == expected
    assert warned == ("WEBAPP_REGISTRATION_ENABLED" in env)


@pytest.fixture
def invited(team, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(workspace=team.workspace, actor=team.owner, email="Newcomer@Example.com", role="editor")
    token = re.search(r"/invitations/([A-Za-z0-9_-]+)/", mailoutbox[-1].body).group(1)
    return token


def test_an_invitee_without_an_account_creates_it_through_the_api_while_registration_is_off(invited, team):
    answer = APIClient().post(SIGNUP, {"token": invited, "username": "newcomer", "password": STRONG, "timezone": "Europe/Paris"}, format="json")

    assert answer.status_code == 201, answer.content
    user = User.objects.get(username="newcomer")
    assert (user.email, user.timezone, user.check_password(STRONG)) == ("newcomer@example.com", "Europe/Paris", True)
    assert Membership.objects.get(workspace=team.workspace, user=user).role == "editor"
    assert {w["id"] for w in answer.json()["workspaces"]} >= {team.workspace.pk}
    again = APIClient().post(SIGNUP, {"token": invited, "username": "second", "password": STRONG}, format="json")
    assert_error(again, 410, code="invitation_gone")


def test_an_invitee_without_an_account_creates_it_on_the_invitation_page(invited, team):
    browser = Client()
    page = browser.get(f"/invitations/{invited}/")
    assert page.status_code == 200 and "Create account and join" in page.content.decode()

    weak = browser.post(f"/invitations/{invited}/", {"username": "newcomer", "password": "123"})
    assert weak.status_code == 400 and "too short" in weak.content.decode()
    joined = browser.post(f"/invitations/{invited}/", {"username": "newcomer", "password": STRONG})

    assert joined.status_code == 302 and joined["Location"] == "/"
    user = User.objects.get(username="newcomer")
    assert Membership.objects.get(workspace=team.workspace, user=user).role == "editor"
    assert browser.get("/").status_code == 200  # signed in


def test_an_invitation_to_an_address_with_an_account_asks_its_owner_to_sign_in(invited, team):
    UserFactory(email="newcomer@example.com")
    answer = APIClient().post(SIGNUP, {"token": invited, "username": "impostor", "password": STRONG}, format="json")
    assert_error(answer, 409)
    assert not User.objects.filter(username="impostor").exists()


def test_an_invitee_picking_a_taken_username_gets_a_field_error(invited):
    UserFactory(username="takenname")
    answer = APIClient().post(SIGNUP, {"token": invited, "username": "TakenName", "password": STRONG}, format="json")
    assert_error(answer, 400, code="validation_error", fields=["username"])


def test_an_unknown_invitation_token_creates_nobody():
    answer = APIClient().post(SIGNUP, {"token": "nope", "username": "ghost", "password": STRONG}, format="json")
    assert_error(answer, 404)
    assert not User.objects.filter(username="ghost").exists()


# --- registration does not say which username or email exists ---------------------------------------


@pytest.fixture
def holder(db):
    return UserFactory(username="holder", email="holder@example.com")


def test_the_api_answers_a_taken_username_and_a_taken_email_alike_and_tells_the_addresss_owner(settings, holder, mailoutbox, django_capture_on_commit_callbacks):
    settings.REGISTRATION_ENABLED = True
    with django_capture_on_commit_callbacks(execute=True):
        by_name = APIClient().post(REGISTER, {"username": "HOLDER", "email": "fresh@example.com", "password": STRONG}, format="json")
    assert mailoutbox == []  # nobody to tell: the address is new
    with django_capture_on_commit_callbacks(execute=True):
        by_email = APIClient().post(REGISTER, {"username": "fresh", "email": "Holder@Example.com", "password": STRONG}, format="json")

    assert by_name.status_code == by_email.status_code == 400
    assert by_name.json() == by_email.json()
    assert by_name.json()["error"]["fields"] == {"username": ["This username or email address cannot be used here. If you already have an account, sign in."]}
    [notice] = mailoutbox
    assert notice.to == ["holder@example.com"] and "holder" in notice.body and "Someone tried" in notice.subject
    assert not User.objects.filter(username="fresh").exists()


def test_the_web_form_answers_a_taken_username_and_a_taken_email_alike(settings, holder):
    settings.REGISTRATION_ENABLED = True
    by_name = Client().post("/register/", {"username": "holder", "email": "fresh@example.com", "password": STRONG, "timezone": "UTC"})
    by_email = Client().post("/register/", {"username": "fresh", "email": "HOLDER@example.com", "password": STRONG, "timezone": "UTC"})

    assert by_name.status_code == by_email.status_code == 400
    sentence = 'id="id_username_error">This username or email address cannot be used here.'
    assert sentence in by_name.content.decode() and sentence in by_email.content.decode()
    assert "email_error" not in by_name.content.decode() + by_email.content.decode()
