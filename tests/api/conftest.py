import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Membership
from tests.factories import ConnectedAccountFactory, MembershipFactory, UserFactory


@pytest.fixture
def account(workspace):
    """An active Mastodon account (limits: 500 characters, 4 attachments) of the user's workspace."""
    return ConnectedAccountFactory(workspace=workspace)


@pytest.fixture
def second_account(workspace):
    return ConnectedAccountFactory(workspace=workspace, platform_settings={"max_characters": 100, "max_media_attachments": 4, "characters_reserved_per_url": 23})


@pytest.fixture
def member_api(db, workspace):
    """member_api(role) -> an API client of a new member of `workspace` with that role, acting in it."""

    def make(role):
        user = UserFactory()
        MembershipFactory(user=user, workspace=workspace, role=role)
        client = APIClient()
        client.credentials(
            HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}",
            HTTP_X_WORKSPACE=str(workspace.pk),
        )
        client.user = user
        return client

    return make


@pytest.fixture
def viewer_api(member_api):
    return member_api(Membership.Role.VIEWER)


@pytest.fixture
def editor_api(member_api):
    return member_api(Membership.Role.EDITOR)
