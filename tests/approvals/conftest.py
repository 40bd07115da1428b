"""A workspace that requires approval: its owner (`user`, an approver), an editor, a viewer, an
account, and API clients of each acting in it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Membership
from tests.factories import ConnectedAccountFactory, MembershipFactory, UserFactory


def in_future(**kwargs):
    return (timezone.now() + timedelta(**(kwargs or {"days": 1}))).replace(microsecond=0)


@pytest.fixture
def workspace(user):
    workspace = user.personal_workspace
    workspace.requires_approval = True
    workspace.save(update_fields=["requires_approval"])
    return workspace


@pytest.fixture
def account(workspace):
    return ConnectedAccountFactory(workspace=workspace)


def _member(workspace, role):
    member = UserFactory()
    MembershipFactory(user=member, workspace=workspace, role=role)
    return member


@pytest.fixture
def editor(workspace):
    return _member(workspace, Membership.Role.EDITOR)


@pytest.fixture
def viewer(workspace):
    return _member(workspace, Membership.Role.VIEWER)


@pytest.fixture
def admin_member(workspace):
    return _member(workspace, Membership.Role.ADMIN)


def api_for(user, workspace):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}", HTTP_X_WORKSPACE=str(workspace.pk))
    client.user = user
    return client


@pytest.fixture
def owner_api(user, workspace):
    return api_for(user, workspace)


@pytest.fixture
def editor_api(editor, workspace):
    return api_for(editor, workspace)


@pytest.fixture
def viewer_api(viewer, workspace):
    return api_for(viewer, workspace)
