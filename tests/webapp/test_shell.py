"""The shell: login/logout, registration behind its setting, the workspace switcher, the profile's
time zone (used for every time shown), and every page's answer per role."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from tests.factories import PASSWORD, MembershipFactory, PostFactory, UserFactory, WorkspaceFactory

from .conftest import login

PAGES = ["home", "compose", "calendar", "queues", "accounts", "library", "analytics", "team", "problems", "profile"]


@pytest.mark.django_db
def test_root_sends_a_visitor_to_the_login_page():
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("webapp:login"))


@pytest.mark.django_db
def test_it_logs_in_with_username_and_password_and_shows_the_app():
    user = UserFactory(username="dana")
    client = Client()
    response = client.post(reverse("webapp:login"), {"username": "dana", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("webapp:home")
    page = client.get("/")
    assert page.status_code == 200
    assert f"Posts in {escape(user.personal_workspace.name)}" in page.content.decode()


@pytest.mark.django_db
def test_a_wrong_password_is_answered_on_the_form():
    UserFactory(username="dana")
    response = Client().post(reverse("webapp:login"), {"username": "dana", "password": "nope"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()


@pytest.mark.django_db
def test_ten_wrong_passwords_lock_that_address_out_of_the_account_even_for_the_right_one():
    UserFactory(username="dana")
    for _ in range(10):
        Client(REMOTE_ADDR="198.51.100.7").post(reverse("webapp:login"), {"username": "dana", "password": "nope"})
    response = Client(REMOTE_ADDR="198.51.100.7").post(reverse("webapp:login"), {"username": "dana", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in response.client.session
    assert "Too many wrong passwords for this account" in response.content.decode()
    # ...but not the owner elsewhere (accounts/login_limits.py; tests/accounts/test_login_limits.py)
    assert Client(REMOTE_ADDR="198.51.100.99").post(reverse("webapp:login"), {"username": "dana", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_login_needs_the_csrf_token():
    UserFactory(username="dana")
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("webapp:login"), {"username": "dana", "password": PASSWORD}).status_code == 403


@pytest.mark.django_db
def test_logout_is_a_post_and_ends_the_session():
    client = login(UserFactory())
    assert client.get(reverse("webapp:logout")).status_code == 405
    assert client.post(reverse("webapp:logout")).status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_registration_is_off_by_default(settings):
    assert Client().get(reverse("webapp:register")).status_code == 404


@pytest.mark.django_db
def test_registration_creates_a_user_with_a_personal_workspace(settings):
    settings.REGISTRATION_ENABLED = True
    client = Client()
    response = client.post(reverse("webapp:register"), {"username": "newbie", "email": "n@example.com", "password": "a-long-pass-phrase", "timezone": "Europe/Berlin"})
    assert response.status_code == 302
    from accounts.models import User

    user = User.objects.get(username="newbie")
    assert user.timezone == "Europe/Berlin" and user.personal_workspace is not None
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_registration_errors_sit_next_to_their_fields(settings):
    settings.REGISTRATION_ENABLED = True
    UserFactory(username="taken", email="taken@example.com")
    response = Client().post(reverse("webapp:register"), {"username": "taken", "email": "taken@example.com", "password": "123", "timezone": "Mars/Base"})
    assert response.status_code == 400
    html = response.content.decode()
    for field, message in [("username", "This username or email address cannot be used here."), ("timezone", "Select a valid choice")]:
        assert f'id="id_{field}_error">{message}' in html


@pytest.mark.django_db
def test_registration_refuses_a_username_the_api_refuses(settings):
    """The page skipped User.username_validator: "a b/<c>" was registered here and refused by the API."""
    settings.REGISTRATION_ENABLED = True
    response = Client().post(reverse("webapp:register"), {"username": "a b/<c>", "email": "ab@example.com", "password": "a-long-pass-phrase", "timezone": "UTC"})
    assert response.status_code == 400
    assert 'id="id_username_error">Enter a valid username.' in response.content.decode()
    from accounts.models import User

    assert not User.objects.filter(email="ab@example.com").exists()


@pytest.mark.django_db
def test_the_profile_changes_the_time_zone_every_time_is_shown_in():
    from datetime import UTC, datetime

    user = UserFactory()
    PostFactory(workspace=user.personal_workspace, status="scheduled", scheduled_time=datetime(2030, 1, 31, 8, 0, 5, tzinfo=UTC))
    client = login(user)
    assert "Thu 31 Jan 2030, 08:00:05" in client.get("/").content.decode()
    assert client.post(reverse("webapp:profile"), {"timezone": "Asia/Tokyo"}).status_code == 302
    user.refresh_from_db()
    assert user.timezone == "Asia/Tokyo"
    assert "Thu 31 Jan 2030, 17:00:05" in client.get("/").content.decode()


@pytest.mark.django_db
def test_an_unknown_time_zone_is_refused_next_to_the_field():
    client = login(UserFactory())
    response = client.post(reverse("webapp:profile"), {"timezone": "Mars/Olympus"})
    assert response.status_code == 400
    assert 'id="id_timezone_error">Select a valid choice' in response.content.decode()


@pytest.mark.django_db
def test_the_switcher_moves_the_session_to_another_workspace_of_the_user():
    user = UserFactory()
    team = WorkspaceFactory(name="Team Rocket")
    MembershipFactory(user=user, workspace=team, role="viewer")
    client = login(user)
    assert "Team Rocket (Viewer)" in client.get("/").content.decode()
    assert client.post(reverse("webapp:switch_workspace"), {"workspace": team.pk}).status_code == 302
    assert "Posts in Team Rocket" in client.get("/").content.decode()


@pytest.mark.django_db
def test_switching_to_a_workspace_of_someone_else_answers_404(other_workspace):
    client = login(UserFactory())
    assert client.post(reverse("webapp:switch_workspace"), {"workspace": other_workspace["workspace"].pk}).status_code == 404
    assert client.post(reverse("webapp:switch_workspace"), {"workspace": "x"}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("next_page, lands_on", [
    ("webapp:queues", "/queues/"), ("webapp:post_detail", "/"), ("webapp:nope", "/"), ("webapp:x.evil.com", "/"),
])
def test_the_switcher_goes_back_to_a_page_or_home(next_page, lands_on):
    """`next` named a page to reverse: one that needs an id, or no page at all, raised NoReverseMatch (500)."""
    user = UserFactory()
    client = login(user)
    response = client.post(reverse("webapp:switch_workspace"), {"workspace": user.personal_workspace.pk, "next": next_page})
    assert response.status_code == 302 and response["Location"] == lands_on


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["owner", "admin", "editor", "viewer"])
def test_every_page_opens_for_every_role(as_role, role, mastodon):
    client = as_role(role)
    for name in PAGES:
        response = client.get(reverse(f"webapp:{name}"))
        assert response.status_code == 200, name
        html = response.content.decode()
        assert 'id="main"' in html and "Skip to content" in html


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_every_page_needs_a_login(name):
    response = Client().get(reverse(f"webapp:{name}"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("webapp:login"))


@pytest.mark.django_db
def test_a_viewer_sees_disabled_buttons_that_say_why(viewer, mastodon):
    html = viewer.get(reverse("webapp:compose")).content.decode()
    assert 'disabled title="Viewers cannot change posts"' in html
    assert "Buttons are disabled: your role is viewer." in html
