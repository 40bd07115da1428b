import pytest

from accounts.models import Membership
from tests.accounts.conftest import assert_error
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role


def members(workspace_id):
    return f"/api/v1/workspaces/{workspace_id}/members/"


def member(workspace_id, user_id):
    return f"/api/v1/workspaces/{workspace_id}/members/{user_id}/"


def role_of(workspace, user):
    return Membership.objects.filter(workspace=workspace, user=user).values_list("role", flat=True).first()


# --- listing ----------------------------------------------------------------------------------


def test_it_lists_members_to_any_member(client_for, team):
    response = client_for(team.viewer).get(members(team.workspace.pk))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["username"], row["role"]) for row in rows] == [
        (team.owner.username, "owner"), (team.admin.username, "admin"),
        (team.editor.username, "editor"), (team.viewer.username, "viewer"),
    ]
    assert set(rows[0]) == {"user_id", "username", "email", "role", "joined_at"}


def test_it_shows_one_member(client_for, team):
    response = client_for(team.viewer).get(member(team.workspace.pk, team.admin.pk))
    assert response.status_code == 200
    assert (response.json()["user_id"], response.json()["role"]) == (team.admin.pk, "admin")
    assert_error(client_for(team.viewer).get(member(team.workspace.pk, team.outsider.pk)), 404)


# --- adding: only through invitations (tests/accounts/test_invitations.py) ---------------------


def test_it_no_longer_adds_a_registered_user_without_their_consent(client_for, team):
    newcomer = UserFactory(email="new.person@example.com")
    response = client_for(team.owner).post(members(team.workspace.pk), {"email": newcomer.email, "role": "editor"}, format="json")
    assert_error(response, 405)
    assert role_of(team.workspace, newcomer) is None


# --- changing roles ---------------------------------------------------------------------------


@pytest.mark.parametrize("actor, allowed", [("viewer", False), ("editor", False), ("admin", True), ("owner", True)])
def test_it_lets_admins_and_owners_change_roles(client_for, team, actor, allowed):
    response = client_for(getattr(team, actor)).patch(member(team.workspace.pk, team.editor.pk), {"role": "viewer"}, format="json")

    if allowed:
        assert response.status_code == 200
        assert response.json()["role"] == "viewer"
        assert role_of(team.workspace, team.editor) == Role.VIEWER
    else:
        assert_error(response, 403)
        assert role_of(team.workspace, team.editor) == Role.EDITOR


def test_it_lets_only_owners_grant_or_revoke_owner(client_for, team):
    second_owner = MembershipFactory(workspace=team.workspace, role=Role.OWNER).user
    admin = client_for(team.admin)

    assert_error(admin.patch(member(team.workspace.pk, team.editor.pk), {"role": "owner"}, format="json"), 403)
    assert_error(admin.patch(member(team.workspace.pk, team.admin.pk), {"role": "owner"}, format="json"), 403)
    assert_error(admin.patch(member(team.workspace.pk, second_owner.pk), {"role": "viewer"}, format="json"), 403)
    assert role_of(team.workspace, second_owner) == Role.OWNER

    owner = client_for(team.owner)
    assert owner.patch(member(team.workspace.pk, team.editor.pk), {"role": "owner"}, format="json").status_code == 200
    assert owner.patch(member(team.workspace.pk, second_owner.pk), {"role": "admin"}, format="json").status_code == 200
    assert role_of(team.workspace, team.editor) == Role.OWNER
    assert role_of(team.workspace, second_owner) == Role.ADMIN


def test_it_refuses_to_demote_the_last_owner(client_for, team):
    error = assert_error(client_for(team.owner).patch(member(team.workspace.pk, team.owner.pk), {"role": "admin"}, format="json"), 409, code="conflict")
    assert "last owner" in error["message"]
    assert role_of(team.workspace, team.owner) == Role.OWNER


def test_it_lets_an_owner_step_down_when_another_owner_remains(client_for, team):
    MembershipFactory(workspace=team.workspace, role=Role.OWNER)
    response = client_for(team.owner).patch(member(team.workspace.pk, team.owner.pk), {"role": "admin"}, format="json")
    assert response.status_code == 200
    assert role_of(team.workspace, team.owner) == Role.ADMIN


def test_it_keeps_the_personal_owner_an_owner_of_their_personal_workspace(client_for):
    user, friend = UserFactory(), UserFactory()
    personal = user.personal_workspace
    MembershipFactory(workspace=personal, user=friend, role=Role.OWNER)

    assert_error(client_for(friend).patch(member(personal.pk, user.pk), {"role": "viewer"}, format="json"), 409)
    assert_error(client_for(friend).delete(member(personal.pk, user.pk)), 409)
    assert_error(client_for(user).delete(member(personal.pk, user.pk)), 409)
    assert role_of(personal, user) == Role.OWNER


def test_it_validates_the_role(client_for, team):
    client = client_for(team.admin)
    assert_error(client.patch(member(team.workspace.pk, team.editor.pk), {"role": "god"}, format="json"), 400, fields=["role"])
    assert_error(client.patch(member(team.workspace.pk, team.editor.pk), {}, format="json"), 400, fields=["role"])


def test_it_answers_a_viewers_invalid_role_change_with_403(client_for, team):
    assert_error(client_for(team.viewer).patch(member(team.workspace.pk, team.editor.pk), {"role": "god"}, format="json"), 403)


# --- removing and leaving ---------------------------------------------------------------------


@pytest.mark.parametrize("actor, allowed", [("viewer", False), ("editor", False), ("admin", True), ("owner", True)])
def test_it_lets_admins_and_owners_remove_members(client_for, team, actor, allowed):
    target = MembershipFactory(workspace=team.workspace, role=Role.VIEWER).user

    response = client_for(getattr(team, actor)).delete(member(team.workspace.pk, target.pk))

    if allowed:
        assert response.status_code == 204
        assert role_of(team.workspace, target) is None
    else:
        assert_error(response, 403)
        assert role_of(team.workspace, target) == Role.VIEWER


def test_it_lets_only_an_owner_remove_an_owner(client_for, team):
    second_owner = MembershipFactory(workspace=team.workspace, role=Role.OWNER).user

    assert_error(client_for(team.admin).delete(member(team.workspace.pk, second_owner.pk)), 403)
    assert client_for(team.owner).delete(member(team.workspace.pk, second_owner.pk)).status_code == 204
    assert role_of(team.workspace, second_owner) is None


@pytest.mark.parametrize("role", ["viewer", "editor", "admin"])
def test_it_lets_a_member_leave(client_for, team, role):
    leaver = getattr(team, role)
    assert client_for(leaver).delete(member(team.workspace.pk, leaver.pk)).status_code == 204
    assert role_of(team.workspace, leaver) is None
    assert_error(client_for(leaver).get(members(team.workspace.pk)), 404)


def test_it_refuses_to_let_the_last_owner_leave_or_be_removed(client_for, team):
    error = assert_error(client_for(team.owner).delete(member(team.workspace.pk, team.owner.pk)), 409, code="conflict")
    assert "last owner" in error["message"]
    assert role_of(team.workspace, team.owner) == Role.OWNER


def test_it_lets_an_owner_leave_when_another_owner_remains(client_for, team):
    MembershipFactory(workspace=team.workspace, role=Role.OWNER)
    assert client_for(team.owner).delete(member(team.workspace.pk, team.owner.pk)).status_code == 204
    assert role_of(team.workspace, team.owner) is None


# --- tenancy ----------------------------------------------------------------------------------


def test_it_hides_another_workspaces_members_behind_404(client_for, team):
    client = client_for(team.outsider)
    newcomer = UserFactory()
    ws = team.workspace.pk

    assert_error(client.get(members(ws)), 404, code="not_found")
    assert_error(client.post(f"/api/v1/workspaces/{ws}/invitations/", {"email": newcomer.email, "role": "owner"}, format="json"), 404)
    assert_error(client.get(member(ws, team.owner.pk)), 404)
    assert_error(client.patch(member(ws, team.viewer.pk), {"role": "owner"}, format="json"), 404)
    assert_error(client.delete(member(ws, team.viewer.pk)), 404)
    assert Membership.objects.filter(workspace=team.workspace).count() == 4
    assert role_of(team.workspace, team.viewer) == Role.VIEWER


def test_it_answers_404_for_an_invalid_workspace_before_validating(client_for):
    client = client_for(UserFactory())
    assert_error(client.post(f"/api/v1/workspaces/{999999}/invitations/", {}, format="json"), 404)
    assert_error(client.get(members("abc")), 404)


def test_it_answers_404_for_a_user_who_is_not_a_member_of_this_workspace(client_for, team):
    other = WorkspaceFactory()
    stranger = MembershipFactory(workspace=other, role=Role.EDITOR).user

    for method in ("get", "delete"):
        assert_error(getattr(client_for(team.owner), method)(member(team.workspace.pk, stranger.pk)), 404)
    assert_error(client_for(team.owner).patch(member(team.workspace.pk, stranger.pk), {"role": "viewer"}, format="json"), 404)
    assert_error(client_for(team.owner).get(member(team.workspace.pk, "x")), 404)
    assert role_of(other, stranger) == Role.EDITOR


def test_it_refuses_put_on_a_member(client_for, team):
    assert_error(client_for(team.owner).put(member(team.workspace.pk, team.viewer.pk), {"role": "admin"}, format="json"), 405)
