"""The API's JWT authentication reads the user together with the membership the request acts in
(accounts/authentication.py); every case where that membership is absent keeps simplejwt's and the
workspace context's answers."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from tests.accounts.conftest import assert_error
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

ACCOUNTS = "/api/v1/accounts/"


def reads(client, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(ACCOUNTS, **headers)
    tables = [q["sql"].split(" FROM ", 1)[1].split()[0] for q in captured if q["sql"].startswith("SELECT")]
    return response, tables


@pytest.mark.parametrize("header", ["personal", "team"])
def test_the_user_and_the_membership_are_one_query(client_for, header):
    user = UserFactory()
    team = WorkspaceFactory()
    MembershipFactory(workspace=team, user=user, role=Membership.Role.VIEWER)
    headers = {"HTTP_X_WORKSPACE": str(team.pk)} if header == "team" else {}

    response, tables = reads(client_for(user), **headers)

    assert response.status_code == 200
    assert tables[0] == '"accounts_membership"' and '"accounts_user"' not in tables  # the user came with it


def test_a_workspace_the_user_is_not_in_is_still_a_404(client_for):
    response, _ = reads(client_for(UserFactory()), HTTP_X_WORKSPACE=str(WorkspaceFactory().pk))
    assert_error(response, 404)


def test_a_malformed_workspace_header_is_still_a_400(client_for):
    response, _ = reads(client_for(UserFactory()), HTTP_X_WORKSPACE="12abc")
    assert_error(response, 400, fields=["X-Workspace"])


def test_a_deactivated_user_is_refused_though_their_membership_exists(client_for):
    user = UserFactory()
    client = client_for(user)
    user.is_active = False
    user.save(update_fields=["is_active"])

    response, _ = reads(client)

    assert response.status_code == 401 and "inactive" in response.json()["error"]["message"].lower()


def test_a_deleted_user_is_refused(client_for):
    user = UserFactory()
    client = client_for(user)
    user.delete()

    response, _ = reads(client)

    assert response.status_code == 401


def test_a_user_without_a_personal_workspace_acts_in_their_oldest_membership(client_for):
    user = UserFactory()
    team = WorkspaceFactory()
    MembershipFactory(workspace=team, user=user, role=Membership.Role.EDITOR)
    user.personal_workspace.delete()

    response, tables = reads(client_for(user))

    assert response.status_code == 200 and '"accounts_user"' in tables  # simplejwt's own lookup, then the fallback


def _fields(instance):
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


@pytest.mark.parametrize("which", ["team", "personal"])
def test_the_membership_from_one_row_is_the_orm_s_own(which):
    from accounts.authentication import MEMBERSHIP_ROW

    user = UserFactory()
    team = WorkspaceFactory(metadata={"brand": {"colour": "#123456"}, "limits": [1, 2.5, None]})
    MembershipFactory(workspace=team, user=user, role=Membership.Role.ADMIN)
    if which == "team":
        built = MEMBERSHIP_ROW.in_workspace(user.pk, team.pk)
        expected = Membership.objects.select_related("user", "workspace").get(user=user, workspace=team)
    else:
        built = MEMBERSHIP_ROW.personal(user.pk)
        expected = Membership.objects.select_related("user", "workspace").get(user=user, workspace=user.personal_workspace)

    with CaptureQueriesContext(connection) as captured:
        assert _fields(built) == _fields(expected)
        assert _fields(built.user) == _fields(expected.user) and _fields(built.workspace) == _fields(expected.workspace)
    assert not captured  # the user and the workspace came with the row
    assert built.created_at.tzinfo is not None and not built._state.adding and built._state.db == "default"


def test_no_membership_row_is_none():
    from accounts.authentication import MEMBERSHIP_ROW

    user = UserFactory()
    assert MEMBERSHIP_ROW.in_workspace(user.pk, WorkspaceFactory().pk) is None
    user.personal_workspace.delete()
    assert MEMBERSHIP_ROW.personal(user.pk) is None


def test_a_token_that_worked_is_refused_once_it_expires(client_for):
    import time_machine
    from django.utils import timezone
    from rest_framework_simplejwt.settings import api_settings

    client, unseen = client_for(UserFactory()), client_for(UserFactory())
    assert client.get(ACCOUNTS).status_code == 200

    with time_machine.travel(timezone.now() + api_settings.ACCESS_TOKEN_LIFETIME + timedelta(seconds=1), tick=False):
        response, never_used = client.get(ACCOUNTS), unseen.get(ACCOUNTS)

    assert response.status_code == never_used.status_code == 401
    assert response.json() == never_used.json() and response.json()["error"]["code"] == "token_not_valid"


def test_a_tampered_copy_of_a_working_token_is_refused(client_for):
    from rest_framework.test import APIClient

    client = client_for(UserFactory())
    assert client.get(ACCOUNTS).status_code == 200
    token = client._credentials["HTTP_AUTHORIZATION"].split()[1]
    header, payload, signature = token.split(".")
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION=f"Bearer {header}.{payload}.{signature[:-2]}AA")

    assert forged.get(ACCOUNTS).status_code == 401

