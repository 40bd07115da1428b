"""Personal API tokens: shown once, scoped, bound to a workspace, revocable."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Membership
from developer.models import ApiToken, token_digest
from social_media.models import Post
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def _client(raw, **headers):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}", **headers)
    return client


def _create(auth_api, **body):
    response = auth_api.post("/api/v1/auth/tokens/", {"name": "script", **body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_token_is_shown_once_and_stored_as_its_hash(auth_api):
    created = _create(auth_api, scope="write")
    raw = created["token"]
    assert raw.startswith("sched_pat_") and created["prefix"] == raw[:14]
    stored = ApiToken.objects.get()
    assert stored.token_hash == token_digest(raw) and raw not in str(stored.__dict__)
    listed = auth_api.get("/api/v1/auth/tokens/").json()
    assert listed[0]["name"] == "script" and "token" not in listed[0]


def test_a_read_token_reads_and_cannot_write(auth_api):
    raw = _create(auth_api)["token"]
    client = _client(raw)
    assert client.get("/api/v1/posts/").status_code == 200
    refused = client.post("/api/v1/posts/", {"content": "x"}, format="json")
    assert refused.status_code == 403 and "read-only" in refused.json()["error"]["message"]
    assert not Post.objects.exists()


def test_a_write_token_creates_in_its_workspace(auth_api, workspace):
    raw = _create(auth_api, scope="write")["token"]
    created = _client(raw).post("/api/v1/posts/", {"content": "from a script"}, format="json")
    assert created.status_code == 201
    assert Post.objects.get().workspace == workspace
    assert ApiToken.objects.get().last_used_at is not None


def test_a_token_cannot_reach_another_workspace(auth_api, user):
    team = WorkspaceFactory()
    MembershipFactory(user=user, workspace=team, role=Membership.Role.OWNER)
    raw = _create(auth_api, scope="write")["token"]  # made for the personal workspace
    assert _client(raw, HTTP_X_WORKSPACE=str(team.pk)).get("/api/v1/posts/").status_code == 404


def test_the_token_never_exceeds_the_users_role(user):
    team = WorkspaceFactory()
    viewer = UserFactory()
    MembershipFactory(user=viewer, workspace=team, role=Membership.Role.VIEWER)
    from developer.services import token_create

    _, raw = token_create(user=viewer, workspace=team, name="x", scope="write")
    assert _client(raw).get("/api/v1/posts/").status_code == 200
    assert _client(raw).post("/api/v1/posts/", {"content": "x"}, format="json").status_code == 403


def test_revoked_expired_and_orphaned_tokens_are_refused(auth_api, user):
    raw = _create(auth_api, scope="write")["token"]
    token = ApiToken.objects.get()
    assert auth_api.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 204
    assert _client(raw).get("/api/v1/posts/").status_code == 401
    raw2 = _create(auth_api)["token"]
    ApiToken.objects.filter(revoked_at__isnull=True).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _client(raw2).get("/api/v1/posts/").status_code == 401
    assert _client("sched_pat_not-a-token").get("/api/v1/posts/").status_code == 401


def test_a_token_stops_working_when_its_user_leaves_the_workspace(user):
    team = WorkspaceFactory()
    member = UserFactory()
    membership = MembershipFactory(user=member, workspace=team, role=Membership.Role.EDITOR)
    from developer.services import token_create

    _, raw = token_create(user=member, workspace=team, name="x", scope="read")
    membership.delete()
    assert _client(raw).get("/api/v1/posts/").status_code == 401


def test_tokens_cannot_manage_tokens_and_bad_input_is_a_field_error(auth_api):
    raw = _create(auth_api, scope="write")["token"]
    assert _client(raw).get("/api/v1/auth/tokens/").status_code == 403
    assert _client(raw).post("/api/v1/auth/tokens/", {"name": "more"}, format="json").status_code == 403
    bad = auth_api.post("/api/v1/auth/tokens/", {"name": "", "scope": "admin", "expires_at": "2000-01-01T00:00:00Z"}, format="json")
    assert bad.status_code == 400 and {"name", "scope"} <= set(bad.json()["error"]["fields"])
    past = auth_api.post("/api/v1/auth/tokens/", {"name": "old", "expires_at": "2000-01-01T00:00:00Z"}, format="json")
    assert past.status_code == 400 and "expires_at" in past.json()["error"]["fields"]


def test_another_users_token_cannot_be_revoked(auth_api):
    other = UserFactory()
    from developer.services import token_create

    token, raw = token_create(user=other, workspace=other.personal_workspace, name="theirs", scope="read")
    assert auth_api.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 404
    assert _client(raw).get("/api/v1/posts/").status_code == 200
