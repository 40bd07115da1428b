import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Membership, User, Workspace
from tests.accounts.conftest import assert_error
from tests.factories import PASSWORD, MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

REGISTER, LOGIN, REFRESH, LOGOUT, ME = (f"/api/v1/auth/{name}/" for name in ("register", "login", "refresh", "logout", "me"))
STRONG = "plum-orbit-candle-47"


@pytest.fixture(autouse=True)
def _registration_on(settings):
    settings.REGISTRATION_ENABLED = True  # off by default (tests/accounts/test_registration.py)


def register(client, **overrides):
    data = {"username": "alice", "email": "alice@example.com", "password": STRONG, **overrides}
    return client.post(REGISTER, data, format="json")


def test_it_walks_register_login_me_refresh_logout():
    client = APIClient()

    created = register(client, timezone="Europe/Berlin")
    assert created.status_code == 201
    user = User.objects.get(username="alice")
    personal = Workspace.objects.get(personal_owner=user)
    assert created.json() == {
        "id": user.pk, "username": "alice", "email": "alice@example.com", "timezone": "Europe/Berlin",
        "workspaces": [{"id": personal.pk, "name": "alice's workspace", "plan": "basic", "role": "owner", "is_personal": True}],
    }
    assert "password" not in created.json()
    assert user.check_password(STRONG)

    login = client.post(LOGIN, {"username": "alice", "password": STRONG}, format="json")
    assert login.status_code == 200
    assert set(login.json()) == {"access", "refresh"}

    client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}")
    me = client.get(ME)
    assert me.status_code == 200
    assert me.json()["username"] == "alice"
    assert me.json()["workspaces"][0]["role"] == "owner"

    client.credentials()
    first = login.json()["refresh"]
    rotated = client.post(REFRESH, {"refresh": first}, format="json")
    assert rotated.status_code == 200
    assert set(rotated.json()) == {"access", "refresh"}
    assert rotated.json()["refresh"] != first
    assert_error(client.post(REFRESH, {"refresh": first}, format="json"), 401, code="token_not_valid")

    second = rotated.json()["refresh"]
    logout = client.post(LOGOUT, {"refresh": second}, format="json")
    assert logout.status_code == 205
    assert BlacklistedToken.objects.filter(token__jti=RefreshToken(second, verify=False)["jti"]).exists()
    assert_error(client.post(REFRESH, {"refresh": second}, format="json"), 401, code="token_not_valid")
    assert_error(client.post(LOGOUT, {"refresh": second}, format="json"), 401)


def test_it_lets_the_new_access_token_from_a_refresh_reach_me():
    user = UserFactory()
    client = APIClient()
    pair = client.post(REFRESH, {"refresh": str(RefreshToken.for_user(user))}, format="json").json()

    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert client.get(ME).json()["id"] == user.pk


def test_it_rejects_duplicate_username_and_email_case_insensitively():
    UserFactory(username="alice", email="alice@example.com")

    error = assert_error(register(APIClient(), username="ALICE", email="Alice@EXAMPLE.com"), 400, code="validation_error")
    assert set(error["fields"]) == {"username"}  # one sentence for either (tests/accounts/test_registration.py)
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"password": "short"}, "password"),
        ({"password": "password123"}, "password"),
        ({"password": "12345678901"}, "password"),
        ({"password": "alice-example"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"username": "bad name!"}, "username"),
        ({"username": ""}, "username"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_it_rejects_invalid_registration_with_field_errors(overrides, field):
    error = assert_error(register(APIClient(), **overrides), 400, code="validation_error", fields=[field])
    assert error["fields"][field]
    assert not User.objects.exists()
    assert not Workspace.objects.exists()


@pytest.mark.parametrize("password", [" " * 8, " " * 12, "\t \n" * 4, "qwertyuiop", "plum-orb1"])
def test_it_refuses_blank_common_and_short_passwords(password):
    error = assert_error(register(APIClient(), password=password), 400, fields=["password"])
    assert error["fields"]["password"] and not User.objects.exists()


def test_it_asks_for_ten_characters_and_explains_spaces():
    messages = assert_error(register(APIClient(), password=" " * 12), 400)["fields"]["password"]
    assert "The password cannot consist only of spaces." in messages
    assert any("at least 10 characters" in m for m in assert_error(register(APIClient(), password="plum-orb1"), 400)["fields"]["password"])


def test_it_reports_a_weak_password_together_with_other_field_errors():
    UserFactory(username="alice")
    error = assert_error(register(APIClient(), email="other@example.com", password="123"), 400)
    assert set(error["fields"]) == {"username", "password"}


def test_it_rejects_a_body_that_is_not_an_object():
    assert_error(APIClient().post(REGISTER, ["alice"], format="json"), 400, fields=["non_field_errors"])


def test_it_requires_every_registration_field():
    error = assert_error(APIClient().post(REGISTER, {}, format="json"), 400)
    assert set(error["fields"]) == {"username", "email", "password"}


def test_it_answers_bad_credentials_with_401_in_the_error_shape():
    UserFactory(username="bob")

    for username, password in (("bob", "wrong-password"), ("BOB", PASSWORD)):
        response = APIClient().post(LOGIN, {"username": username, "password": password}, format="json")
        assert_error(response, 401, code="no_active_account")
        assert "access" not in response.json() and "WWW-Authenticate" in response.headers
    assert_error(APIClient().post(LOGIN, {"username": "nobody", "password": PASSWORD}, format="json"), 401)


def test_it_refuses_login_for_a_deactivated_user():
    UserFactory(username="carol")
    User.objects.filter(username="carol").update(is_active=False)

    assert_error(APIClient().post(LOGIN, {"username": "carol", "password": PASSWORD}, format="json"), 401)


def test_it_asks_for_missing_login_fields():
    assert_error(APIClient().post(LOGIN, {}, format="json"), 400, fields=["username", "password"])


def test_it_refuses_garbage_and_access_tokens_as_refresh_tokens():
    user = UserFactory()
    client = APIClient()

    assert_error(client.post(REFRESH, {"refresh": "garbage"}, format="json"), 401, code="token_not_valid")
    access = str(RefreshToken.for_user(user).access_token)
    assert_error(client.post(REFRESH, {"refresh": access}, format="json"), 401, code="token_not_valid")
    assert_error(client.post(REFRESH, {}, format="json"), 400, fields=["refresh"])
    assert_error(client.post(LOGOUT, {"refresh": "garbage"}, format="json"), 401)
    assert_error(client.post(LOGOUT, {}, format="json"), 400, fields=["refresh"])


def test_it_refuses_to_refresh_for_a_deleted_or_deactivated_user():
    gone, inactive = UserFactory(), UserFactory()
    gone_token, inactive_token = str(RefreshToken.for_user(gone)), str(RefreshToken.for_user(inactive))
    gone.delete()
    User.objects.filter(pk=inactive.pk).update(is_active=False)

    assert_error(APIClient().post(REFRESH, {"refresh": gone_token}, format="json"), 401)
    assert_error(APIClient().post(REFRESH, {"refresh": inactive_token}, format="json"), 401)


def test_it_requires_a_token_for_me():
    assert_error(APIClient().get(ME), 401, code="not_authenticated")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    assert_error(client.get(ME), 401, code="token_not_valid")


def test_it_lists_every_workspace_with_the_users_role_in_me(client_for):
    user = UserFactory()
    team = WorkspaceFactory(name="Team", plan="pro")
    MembershipFactory(user=user, workspace=team, role=Membership.Role.VIEWER)
    WorkspaceFactory(name="Not mine")

    workspaces = client_for(user).get(ME).json()["workspaces"]

    assert [(w["name"], w["plan"], w["role"], w["is_personal"]) for w in workspaces] == [
        (f"{user.username}'s workspace", "basic", "owner", True),
        ("Team", "pro", "viewer", False),
    ]


def test_it_changes_the_time_zone_and_validates_it(client_for):
    user = UserFactory()
    client = client_for(user)

    response = client.patch(ME, {"timezone": "America/New_York"}, format="json")
    assert response.status_code == 200
    assert response.json()["timezone"] == "America/New_York"
    user.refresh_from_db()
    assert user.timezone == "America/New_York"

    assert_error(client.patch(ME, {"timezone": "Nowhere/Land"}, format="json"), 400, fields=["timezone"])
    assert_error(client.patch(ME, {"timezone": ""}, format="json"), 400, fields=["timezone"])
    user.refresh_from_db()
    assert user.timezone == "America/New_York"


def test_it_ignores_read_only_fields_on_me(client_for):
    user = UserFactory(username="dave")

    response = client_for(user).patch(ME, {"username": "root", "email": "root@example.com"}, format="json")

    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.username, user.email) == ("dave", "dave@example.com")


def test_it_never_puts_a_password_hash_in_user_output(client_for):
    user = UserFactory()
    body = client_for(user).get(ME).content.decode()
    assert user.password not in body and "password" not in body
