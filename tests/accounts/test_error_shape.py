"""Every error the accounts API produces uses config/exceptions.py's one shape."""

from datetime import datetime, timezone

import pytest
from rest_framework.test import APIClient

from accounts.models import Membership
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def error_of(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == ["error"]
    return body["error"]


def test_it_answers_400_with_code_message_and_fields(settings):
    settings.REGISTRATION_ENABLED = True
    error = error_of(APIClient().post("/api/v1/auth/register/", {"email": "nope"}, format="json"), 400)
    assert error["code"] == "validation_error"
    assert error["message"] == "Invalid input."
    assert set(error["fields"]) == {"username", "email", "password"}
    assert all(isinstance(messages, list) and messages for messages in error["fields"].values())


@pytest.mark.parametrize(
    "make_request, status, code",
    [
        (lambda c, u, ws: APIClient().get("/api/v1/auth/me/"), 401, "not_authenticated"),
        (lambda c, u, ws: c.patch(f"/api/v1/workspaces/{ws.pk}/", {"name": "x"}, format="json"), 403, "permission_denied"),
        (lambda c, u, ws: c.get("/api/v1/workspaces/999999999/"), 404, "not_found"),
        (lambda c, u, ws: c.put("/api/v1/auth/me/", {"timezone": "UTC"}, format="json"), 405, "method_not_allowed"),
        (lambda c, u, ws: c.delete(f"/api/v1/workspaces/{u.personal_workspace.pk}/"), 409, "conflict"),
    ],
    ids=["401", "403", "404", "405", "409"],
)
def test_it_answers_other_errors_with_code_and_message_only(client_for, make_request, status, code):
    user = UserFactory()
    workspace = WorkspaceFactory()
    MembershipFactory(workspace=workspace, user=user, role=Membership.Role.VIEWER)

    error = error_of(make_request(client_for(user), user, workspace), status)

    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert set(error) == {"code", "message"}


@pytest.mark.time_machine(datetime(2030, 1, 7, 10, 0, 5, tzinfo=timezone.utc))
def test_it_answers_429_with_retry_after(client_for, settings):
    settings.PLAN_LIMITS = {**settings.PLAN_LIMITS, "basic": {"api_calls_per_hour": 100, "scheduled_posts_per_day": None}}  # an operator's cap
    client = client_for(UserFactory())
    for _ in range(100):
        client.get("/api/v1/auth/me/")

    response = client.get("/api/v1/auth/me/")

    error = error_of(response, 429)
    assert set(error) == {"code", "message", "retry_after"}
    assert error["code"] == "throttled"
    assert int(response.headers["Retry-After"]) == error["retry_after"]


def test_it_answers_a_malformed_json_body_with_400():
    response = APIClient().post("/api/v1/auth/login/", "{not json", content_type="application/json")
    error = error_of(response, 400)
    assert error["code"] == "parse_error"


def test_it_answers_an_unsupported_media_type_with_415(client_for):
    response = client_for(UserFactory()).generic("POST", "/api/v1/workspaces/", "name=x", content_type="text/plain")
    assert error_of(response, 415)["code"] == "unsupported_media_type"
