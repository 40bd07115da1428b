"""The X-Workspace header (accounts/context.py) and the WorkspaceRole permission, as other apps'
endpoints use them, exercised through a small probe view."""

import pytest
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.context import request_workspace
from accounts.models import Membership
from accounts.permissions import WorkspaceRole
from tests.accounts.conftest import assert_error
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


class Probe(APIView):
    permission_classes = [WorkspaceRole]
    write_role = Membership.Role.ADMIN

    def get(self, request):
        return Response({"workspace": request_workspace(request).pk})

    def post(self, request):
        return Response({"workspace": request_workspace(request).pk}, status=201)


class OwnerAction(Probe):
    required_role = Membership.Role.OWNER


urlpatterns = [path("probe/", Probe.as_view()), path("owner-only/", OwnerAction.as_view()), path("", include("config.urls"))]


def test_it_acts_in_the_personal_workspace_without_the_header(client_for, team):
    assert client_for(team.viewer).get("/probe/").json() == {"workspace": team.viewer.personal_workspace.pk}


def test_it_acts_in_the_workspace_named_by_the_header(client_for, team):
    response = client_for(team.viewer).get("/probe/", HTTP_X_WORKSPACE=f" {team.workspace.pk} ")
    assert response.json() == {"workspace": team.workspace.pk}


def test_it_answers_404_for_a_workspace_the_user_is_not_in(client_for, team):
    assert_error(client_for(team.outsider).get("/probe/", HTTP_X_WORKSPACE=str(team.workspace.pk)), 404, code="not_found")
    assert_error(client_for(team.outsider).get("/probe/", HTTP_X_WORKSPACE="987654321"), 404)
    assert_error(client_for(team.outsider).get("/probe/", HTTP_X_WORKSPACE="99999999999999999999999"), 404)


@pytest.mark.parametrize("garbage", ["abc", "-1", "1.0", "²", "1 2", "0x10"])
def test_it_answers_400_for_a_malformed_header(client_for, team, garbage):
    error = assert_error(client_for(team.viewer).get("/probe/", HTTP_X_WORKSPACE=garbage), 400, fields=["X-Workspace"])
    assert error["code"] == "validation_error"


def test_it_checks_the_header_on_account_endpoints_too(client_for, team):
    client = client_for(team.viewer)
    assert_error(client.get("/api/v1/auth/me/", HTTP_X_WORKSPACE="abc"), 400, fields=["X-Workspace"])
    assert_error(client.get("/api/v1/auth/me/", HTTP_X_WORKSPACE="987654321"), 404)


@pytest.mark.parametrize("role, can_read, can_write, can_own", [
    ("viewer", True, False, False),
    ("editor", True, False, False),
    ("admin", True, True, False),
    ("owner", True, True, True),
])
def test_it_applies_the_role_matrix_in_the_header_workspace(client_for, team, role, can_read, can_write, can_own):
    client = client_for(getattr(team, role))
    header = {"HTTP_X_WORKSPACE": str(team.workspace.pk)}

    assert (client.get("/probe/", **header).status_code == 200) is can_read
    assert (client.post("/probe/", {}, format="json", **header).status_code == 201) is can_write
    assert (client.post("/owner-only/", {}, format="json", **header).status_code == 201) is can_own
    if not can_write:
        assert_error(client.post("/probe/", {}, format="json", **header), 403, code="permission_denied")


def test_it_answers_404_for_a_user_in_no_workspace_but_still_serves_their_own_account(client_for):
    user = UserFactory()
    Membership.objects.filter(user=user).delete()
    client = client_for(user)

    assert_error(client.get("/probe/"), 404)
    # Throttling must not lock such a user (e.g. one made with createsuperuser) out of their account.
    response = client.get("/api/v1/auth/me/")
    assert response.status_code == 200
    assert response.json()["workspaces"] == []
