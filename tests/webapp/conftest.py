"""Web app fixtures: members of one workspace in every role, each with a logged-in Django test client."""

import pytest
from django.test import Client

from accounts.models import Membership
from tests.factories import ConnectedAccountFactory, MembershipFactory, UserFactory, WorkspaceFactory

ROLES = ["owner", "admin", "editor", "viewer"]


@pytest.fixture
def team_workspace(db):
    return WorkspaceFactory(name="Acme")


@pytest.fixture
def member(team_workspace):
    """member(role) -> a user with that role in team_workspace, acting in it."""

    def make(role="editor", **user_fields):
        user = UserFactory(**user_fields)
        MembershipFactory(user=user, workspace=team_workspace, role=role)
        return user

    return make


def login(user, workspace=None):
    client = Client()
    client.force_login(user)
    if workspace is not None:
        session = client.session
        session["workspace_id"] = workspace.pk
        session.save()
    client.user = user
    return client


@pytest.fixture
def as_role(member, team_workspace):
    """as_role(role) -> a client logged in as a new member with that role, acting in team_workspace."""

    def make(role="editor", **user_fields):
        return login(member(role, **user_fields), team_workspace)

    return make


@pytest.fixture
def editor(as_role):
    return as_role("editor")


@pytest.fixture
def viewer(as_role):
    return as_role("viewer")


@pytest.fixture
def mastodon(team_workspace):
    """A Mastodon account with a 500-character limit (no network call is needed to validate)."""
    return ConnectedAccountFactory(workspace=team_workspace, platform="mastodon", platform_username="alice")


@pytest.fixture
def bluesky(team_workspace):
    return ConnectedAccountFactory(workspace=team_workspace, platform="bluesky", platform_username="alice.bsky.social", instance_url="", platform_settings={})


@pytest.fixture
def other_workspace(db):
    """Another team's workspace with its own account, post and queue (must all answer 404)."""
    from tests.factories import PostFactory, PostQueueFactory, PostTargetFactory

    owner = UserFactory()
    workspace = WorkspaceFactory(name="Other")
    MembershipFactory(user=owner, workspace=workspace, role=Membership.Role.OWNER)
    account = ConnectedAccountFactory(workspace=workspace)
    post = PostFactory(workspace=workspace)
    target = PostTargetFactory(post=post, account=account, status="failed")
    queue = PostQueueFactory(workspace=workspace)
    return {"workspace": workspace, "account": account, "post": post, "target": target, "queue": queue, "owner": owner}
