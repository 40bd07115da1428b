import pytest

from accounts.models import Membership, Workspace
from social_media.models import ConnectedAccount
from tests.accounts.conftest import assert_error
from tests.factories import ConnectedAccountFactory, UserFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role
LIST = "/api/v1/workspaces/"


def detail(workspace_id):
    return f"/api/v1/workspaces/{workspace_id}/"


def test_it_lists_only_the_callers_workspaces_with_their_role(client_for, team):
    response = client_for(team.editor).get(LIST)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert response.json()["count"] == 2
    assert [(row["id"], row["role"], row["is_personal"]) for row in rows] == [
        (team.workspace.pk, "editor", False),
        (team.editor.personal_workspace.pk, "owner", True),
    ]
    assert set(rows[0]) == {"id", "name", "plan", "is_personal", "role", "requires_approval", "created_at"}


def test_it_searches_the_callers_workspaces_by_name(client_for, team):
    rows = client_for(team.viewer).get(LIST, {"search": "tea"}).json()["results"]
    assert [row["id"] for row in rows] == [team.workspace.pk]


def test_it_creates_a_workspace_owned_by_the_caller(client_for):
    user = UserFactory()

    response = client_for(user).post(LIST, {"name": "  Launch team  "}, format="json")

    assert response.status_code == 201
    workspace = Workspace.objects.get(pk=response.json()["id"])
    assert (workspace.name, workspace.plan, workspace.personal_owner_id) == ("Launch team", "basic", None)
    assert response.json()["role"] == "owner"
    assert Membership.objects.get(workspace=workspace).user == user
    assert Membership.objects.get(workspace=workspace).role == Role.OWNER


@pytest.mark.parametrize("data, field", [({}, "name"), ({"name": "   "}, "name"), ({"name": "x" * 201}, "name"), ({"name": "A", "plan": "gold"}, "plan")])
def test_it_rejects_an_invalid_workspace_with_field_errors(client_for, data, field):
    user = UserFactory()
    assert_error(client_for(user).post(LIST, data, format="json"), 400, code="validation_error", fields=[field])
    assert Workspace.objects.count() == 1  # only the personal one


def test_it_lets_only_staff_choose_a_plan_on_create(client_for):
    user, staff = UserFactory(), UserFactory()
    staff.is_staff = True
    staff.save()

    assert_error(client_for(user).post(LIST, {"name": "Big", "plan": "pro"}, format="json"), 403, code="permission_denied")
    assert client_for(user).post(LIST, {"name": "Small", "plan": "basic"}, format="json").status_code == 201
    response = client_for(staff).post(LIST, {"name": "Big", "plan": "enterprise"}, format="json")
    assert response.status_code == 201
    assert Workspace.objects.get(pk=response.json()["id"]).plan == "enterprise"


def test_it_shows_a_workspace_to_any_member(client_for, team):
    for role in Role.values:
        response = client_for(getattr(team, role)).get(detail(team.workspace.pk))
        assert response.status_code == 200
        assert response.json()["role"] == role


@pytest.mark.parametrize("role, allowed", [("viewer", False), ("editor", False), ("admin", True), ("owner", True)])
def test_it_lets_admins_and_owners_rename(client_for, team, role, allowed):
    response = client_for(getattr(team, role)).patch(detail(team.workspace.pk), {"name": "Renamed"}, format="json")

    team.workspace.refresh_from_db()
    if allowed:
        assert response.status_code == 200
        assert response.json()["name"] == "Renamed"
        assert team.workspace.name == "Renamed"
    else:
        assert_error(response, 403, code="permission_denied")
        assert team.workspace.name == "Team"


def test_it_answers_a_viewers_invalid_patch_with_403_not_field_errors(client_for, team):
    assert_error(client_for(team.viewer).patch(detail(team.workspace.pk), {"name": ""}, format="json"), 403)


def test_it_validates_a_rename(client_for, team):
    assert_error(client_for(team.admin).patch(detail(team.workspace.pk), {"name": ""}, format="json"), 400, fields=["name"])


def test_it_lets_only_staff_change_the_plan(client_for, team):
    response = client_for(team.owner).patch(detail(team.workspace.pk), {"plan": "pro"}, format="json")
    assert_error(response, 403, code="permission_denied")
    team.workspace.refresh_from_db()
    assert team.workspace.plan == "basic"

    # Sending the unchanged plan back (a client echoing the object) is fine.
    assert client_for(team.owner).patch(detail(team.workspace.pk), {"plan": "basic", "name": "Same"}, format="json").status_code == 200

    team.admin.is_staff = True
    team.admin.save()
    response = client_for(team.admin).patch(detail(team.workspace.pk), {"plan": "pro"}, format="json")
    assert response.status_code == 200
    team.workspace.refresh_from_db()
    assert team.workspace.plan == "pro"


@pytest.mark.parametrize("role", ["viewer", "editor", "admin"])
def test_it_lets_only_owners_delete(client_for, team, role):
    assert_error(client_for(getattr(team, role)).delete(detail(team.workspace.pk)), 403)
    assert Workspace.objects.filter(pk=team.workspace.pk).exists()


def test_it_deletes_a_workspace_with_everything_in_it(client_for, team):
    account = ConnectedAccountFactory(workspace=team.workspace)

    assert client_for(team.owner).delete(detail(team.workspace.pk)).status_code == 204

    assert not Workspace.objects.filter(pk=team.workspace.pk).exists()
    assert not Membership.objects.filter(workspace_id=team.workspace.pk).exists()
    assert not ConnectedAccount.objects.filter(pk=account.pk).exists()


def test_it_refuses_to_delete_a_personal_workspace(client_for):
    user = UserFactory()

    error = assert_error(client_for(user).delete(detail(user.personal_workspace.pk)), 409, code="conflict")

    assert "personal" in error["message"]
    assert Workspace.objects.filter(pk=user.personal_workspace.pk).exists()


def test_it_hides_other_workspaces_behind_404_on_every_method(client_for, team):
    client = client_for(team.outsider)
    url = detail(team.workspace.pk)

    assert_error(client.get(url), 404, code="not_found")
    assert_error(client.patch(url, {"name": "Mine now"}, format="json"), 404)
    assert_error(client.delete(url), 404)
    team.workspace.refresh_from_db()
    assert team.workspace.name == "Team"


def test_it_hides_other_workspaces_from_staff_too(client_for, team):
    staff = UserFactory()
    staff.is_staff = True
    staff.save()
    assert_error(client_for(staff).get(detail(team.workspace.pk)), 404)
    assert team.workspace.pk not in [row["id"] for row in client_for(staff).get(LIST).json()["results"]]


@pytest.mark.parametrize("bad_id", ["0", "abc", "-1", "1.5", "²", "99999999999999999999", "9" * 5000])
def test_it_answers_404_for_ids_that_cannot_exist(client_for, bad_id):
    assert_error(client_for(UserFactory()).get(detail(bad_id)), 404)


def test_it_refuses_put(client_for, team):
    assert_error(client_for(team.owner).put(detail(team.workspace.pk), {"name": "x"}, format="json"), 405, code="method_not_allowed")


def test_it_requires_authentication(api):
    assert_error(api.get(LIST), 401, code="not_authenticated")
    assert_error(api.post(LIST, {"name": "x"}, format="json"), 401)

