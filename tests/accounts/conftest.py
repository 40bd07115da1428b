from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Membership
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

Role = Membership.Role


def bearer_client(user, **headers):
    """An API client that sends a real access token for `user` (plus any extra headers)."""
    client = APIClient(**headers)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    client.user = user
    return client


def assert_error(response, status, code=None, fields=None):
    """The project's one error shape: {"error": {"code", "message", ["fields"]}}."""
    assert response.status_code == status, (response.status_code, getattr(response, "data", response.content))
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code, error
    if fields is not None:
        assert set(fields) <= set(error["fields"]), error
    return error


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 at production strength costs ~0.3 s per user; these tests make many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client_for(db):
    return bearer_client


@pytest.fixture
def team(db):
    """A shared (non-personal) workspace with one member of each role, and an outsider."""
    workspace = WorkspaceFactory(name="Team")
    users = {role.value: MembershipFactory(workspace=workspace, role=role).user for role in Role}
    return SimpleNamespace(workspace=workspace, outsider=UserFactory(), **users)
