import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Membership, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ENV = {
    "DJANGO_SUPERUSER_USERNAME": "root",
    "DJANGO_SUPERUSER_EMAIL": "root@example.com",
    "DJANGO_SUPERUSER_PASSWORD": "a-long-and-unusual-passphrase-42",
}


@pytest.fixture
def no_superuser_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def superuser_env(monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


def ensure_admin():
    out = StringIO()
    call_command("ensure_admin", stdout=out)
    return out.getvalue()


def test_it_creates_the_admin_named_by_the_environment_with_a_personal_workspace(superuser_env):
    output = ensure_admin()

    user = User.objects.get(username="root")
    assert user.email == "root@example.com"
    assert user.is_staff and user.is_superuser
    assert user.check_password(ENV["DJANGO_SUPERUSER_PASSWORD"])
    assert user.personal_workspace.memberships.get().role == Membership.Role.OWNER
    assert output.count("\n") == 1
    assert "created superuser 'root'" in output
    assert ENV["DJANGO_SUPERUSER_PASSWORD"] not in output


def test_it_leaves_an_existing_environment_admin_alone(superuser_env):
    existing = UserFactory(username="root", email="first@example.com")

    output = ensure_admin()

    existing.refresh_from_db()
    assert User.objects.filter(username="root").count() == 1
    assert existing.email == "first@example.com"
    assert not existing.check_password(ENV["DJANGO_SUPERUSER_PASSWORD"])
    assert "already exists; nothing changed" in output


def test_it_refuses_a_partial_environment_and_names_what_is_missing(monkeypatch, no_superuser_env):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root")

    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_EMAIL, DJANGO_SUPERUSER_PASSWORD"):
        ensure_admin()
    assert not User.objects.exists()


def test_it_refuses_a_weak_password_or_a_taken_email_from_the_environment(monkeypatch, superuser_env):
    UserFactory(username="someone", email="root@example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "12345678")

    with pytest.raises(CommandError) as raised:
        ensure_admin()

    message = str(raised.value)
    assert "email:" in message and "password:" in message
    assert not User.objects.filter(username="root").exists()


def test_it_generates_an_admin_and_prints_the_password_only_the_first_time(no_superuser_env):
    UserFactory()  # an ordinary user does not count as an admin

    first = ensure_admin()
    second = ensure_admin()

    password = re.search(r"with password '([^']+)'", first).group(1)
    admin = User.objects.get(is_superuser=True)
    assert admin.username == "admin" and admin.is_staff
    assert admin.check_password(password)
    assert admin.personal_workspace is not None
    assert password not in second
    assert "exists; nothing to do" in second
    assert User.objects.filter(is_superuser=True).count() == 1


def test_it_does_not_generate_an_admin_when_a_superuser_exists(no_superuser_env):
    UserFactory(username="boss")
    User.objects.filter(username="boss").update(is_superuser=True, is_staff=True)

    output = ensure_admin()

    assert output == "ensure_admin: superuser 'boss' exists; nothing to do.\n"
    assert User.objects.count() == 1


def test_it_picks_a_free_name_when_an_ordinary_user_is_called_admin(no_superuser_env):
    UserFactory(username="admin", email="admin@localhost")

    ensure_admin()

    generated = User.objects.get(is_superuser=True)
    assert generated.username.startswith("admin-")
    assert generated.email == f"{generated.username}@localhost"
    assert not User.objects.get(username="admin").is_superuser
