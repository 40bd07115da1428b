"""Joining a workspace takes the invitee's consent: an emailed link, accepted while signed in."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.invitations import invitation_create
from accounts.models import Invitation, Membership
from tests.accounts.conftest import assert_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

Role = Membership.Role
ACCEPT = "/api/v1/invitations/accept/"


def invitations(workspace_id):
    return f"/api/v1/workspaces/{workspace_id}/invitations/"


def role_of(workspace, user):
    return Membership.objects.filter(workspace=workspace, user=user).values_list("role", flat=True).first()


def token_from(mail):
    return re.search(r"/invitations/([A-Za-z0-9_-]+)/", mail.body).group(1)


@pytest.fixture
def invite(client_for, team, mailoutbox):
    """Invite `email` as `role` into the team workspace (as its owner); returns (response, token)."""

    def invite(email, role="editor", actor=None):
        sent = len(mailoutbox)
        response = client_for(actor or team.owner).post(invitations(team.workspace.pk), {"email": email, "role": role}, format="json")
        assert response.status_code == 201, response.content
        assert len(mailoutbox) == sent + 1
        return response, token_from(mailoutbox[-1])

    return invite


def test_inviting_answers_the_same_whether_or_not_the_address_is_registered(invite, mailoutbox, team):
    UserFactory(email="known@example.com")

    known, _ = invite("Known@Example.com")
    unknown, _ = invite("nobody@example.com")

    def shape(body):
        return {k: v for k, v in body.items() if k not in ("id", "email", "created_at", "expires_at")}

    assert shape(known.json()) == shape(unknown.json()) == {
        "role": "editor", "status": "pending", "invited_by": team.owner.username, "accepted_at": None, "revoked_at": None,
        "mail": "queued",
    }
    assert [m.to for m in mailoutbox] == [["known@example.com"], ["nobody@example.com"]]
    assert Membership.objects.filter(workspace=team.workspace).count() == 4  # nobody joined yet


def test_the_invitee_joins_by_accepting_while_signed_in(invite, client_for, team, mailoutbox):
    newcomer = UserFactory(email="new.person@example.com")
    _, token = invite("new.person@example.com", role="admin")
    assert role_of(team.workspace, newcomer) is None
    assert "expires in 72 hours" in mailoutbox[0].body and team.workspace.name in mailoutbox[0].subject

    answer = client_for(newcomer).post(ACCEPT, {"token": token}, format="json")

    assert answer.status_code == 200, answer.content
    assert (answer.json()["workspace"], answer.json()["role"]) == (team.workspace.pk, "admin")
    assert role_of(team.workspace, newcomer) == Role.ADMIN
    again = client_for(newcomer).post(ACCEPT, {"token": token}, format="json")
    assert assert_error(again, 410, code="invitation_gone")["message"] == "This invitation was already accepted."


def test_an_unregistered_invitee_registers_then_accepts(invite, client_for, team):
    _, token = invite("later@example.com")
    newcomer = UserFactory(email="later@example.com")
    assert client_for(newcomer).post(ACCEPT, {"token": token}, format="json").status_code == 200
    assert role_of(team.workspace, newcomer) == Role.EDITOR


def test_someone_else_holding_the_link_cannot_accept(invite, client_for, team, api):
    _, token = invite("invitee@example.com")
    other = UserFactory(email="forwarded-to@example.com")

    assert_error(client_for(other).post(ACCEPT, {"token": token}, format="json"), 403)
    assert role_of(team.workspace, other) is None
    assert_error(api.post(ACCEPT, {"token": token}, format="json"), 401)
    assert_error(client_for(other).post(ACCEPT, {"token": "made-up"}, format="json"), 404)
    assert_error(client_for(other).post(ACCEPT, {}, format="json"), 400, fields=["token"])


def test_an_expired_invitation_is_refused(invite, client_for, team):
    _, token = invite("slow@example.com")
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    newcomer = UserFactory(email="slow@example.com")

    error = assert_error(client_for(newcomer).post(ACCEPT, {"token": token}, format="json"), 410)
    assert "expired" in error["message"]
    assert role_of(team.workspace, newcomer) is None


def test_admins_list_and_revoke_invitations(invite, client_for, team):
    _, token = invite("maybe@example.com", actor=team.admin)
    listing = client_for(team.admin).get(invitations(team.workspace.pk))
    assert listing.status_code == 200
    [row] = listing.json()["results"]
    assert (row["email"], row["status"]) == ("maybe@example.com", "pending")

    assert client_for(team.admin).delete(f"{invitations(team.workspace.pk)}{row['id']}/").status_code == 204

    assert client_for(team.admin).get(invitations(team.workspace.pk)).json()["results"][0]["status"] == "revoked"
    newcomer = UserFactory(email="maybe@example.com")
    assert_error(client_for(newcomer).post(ACCEPT, {"token": token}, format="json"), 410)
    assert_error(client_for(team.admin).delete(f"{invitations(team.workspace.pk)}{row['id']}/"), 410)


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_members_below_admin_cannot_invite_list_or_revoke(client_for, team, role, mailoutbox):
    client = client_for(getattr(team, role))
    assert_error(client.post(invitations(team.workspace.pk), {"email": "x@example.com"}, format="json"), 403)
    assert_error(client.get(invitations(team.workspace.pk)), 403)
    assert mailoutbox == [] and not Invitation.objects.exists()


def test_only_an_owner_invites_an_owner(client_for, team, invite):
    assert_error(client_for(team.admin).post(invitations(team.workspace.pk), {"email": "boss@example.com", "role": "owner"}, format="json"), 403)
    invite("boss@example.com", role="owner")
    assert Invitation.objects.get().role == Role.OWNER


def test_another_workspaces_invitations_are_404(client_for, team, invite):
    invite("private@example.com")
    outsider = client_for(team.outsider)
    assert_error(outsider.get(invitations(team.workspace.pk)), 404)
    row_id = Invitation.objects.get().pk
    assert_error(client_for(team.outsider).delete(f"{invitations(team.outsider.personal_workspace.pk)}{row_id}/"), 404)
    assert Invitation.objects.get().status == "pending"


def test_inviting_a_member_or_a_bad_address_is_a_field_error(client_for, team):
    client = client_for(team.owner)
    assert_error(client.post(invitations(team.workspace.pk), {"email": team.viewer.email.upper()}, format="json"), 400, fields=["email"])
    assert_error(client.post(invitations(team.workspace.pk), {"email": "not an email"}, format="json"), 400, fields=["email"])
    assert_error(client.post(invitations(team.workspace.pk), {"email": "a@example.com", "role": "king"}, format="json"), 400, fields=["role"])


def test_inviting_again_replaces_the_pending_invitation(invite, client_for, team):
    _, first = invite("twice@example.com")
    _, second = invite("twice@example.com")
    newcomer = UserFactory(email="twice@example.com")
    assert_error(client_for(newcomer).post(ACCEPT, {"token": first}, format="json"), 410)
    assert client_for(newcomer).post(ACCEPT, {"token": second}, format="json").status_code == 200


def test_the_token_is_stored_hashed_and_the_link_page_shows_the_invitation(invite, client, team):
    _, token = invite("page@example.com")
    assert token not in Invitation.objects.get().token_hash
    page = client.get(f"/invitations/{token}/")
    assert page.status_code == 200 and team.workspace.name.encode() in page.content and page["Cache-Control"] == "no-store"
    assert client.get("/invitations/unknown/").status_code == 404


def test_the_service_sends_no_mail_when_its_transaction_rolls_back(team, mailoutbox):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        invitation_create(workspace=team.workspace, actor=team.owner, email="rollback@example.com")
        raise RuntimeError
    assert mailoutbox == [] and not Invitation.objects.exists()
