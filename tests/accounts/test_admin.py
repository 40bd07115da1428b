import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Membership, User, Workspace
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role


@pytest.fixture
def staff_client(client):
    admin = User.objects.create_superuser("root", "root@example.com", "root-password-123")
    client.force_login(admin)
    return client


@pytest.mark.parametrize("model", ["user", "workspace", "membership"])
def test_it_lists_accounts_models_in_the_admin(staff_client, team, model):
    response = staff_client.get(reverse(f"admin:accounts_{model}_changelist"))
    assert response.status_code == 200
    assert team.owner.username.encode() in response.content


def test_it_lists_workspaces_with_member_counts_in_constant_queries(staff_client):
    url = reverse("admin:accounts_workspace_changelist")

    def add_crews(count):
        for n in range(count):
            workspace = WorkspaceFactory(name=f"Crew {Workspace.objects.count()}")
            MembershipFactory.create_batch(n + 1, workspace=workspace)

    def queries_for_listing():
        with CaptureQueriesContext(connection) as captured:
            response = staff_client.get(url)
        return len(captured), response

    add_crews(2)
    few, _ = queries_for_listing()
    add_crews(4)
    many, response = queries_for_listing()

    assert many == few
    counts = sorted(w.member_count for w in response.context["cl"].result_list if w.name.startswith("Crew"))
    assert counts == [1, 1, 2, 2, 3, 4]


def test_it_filters_workspaces_by_plan_and_searches_by_member_email(staff_client):
    pro = WorkspaceFactory(name="Pro crew", plan="pro")
    member = MembershipFactory(workspace=pro, user=UserFactory(email="findme@example.com")).user
    WorkspaceFactory(name="Basic crew")
    url = reverse("admin:accounts_workspace_changelist")

    by_plan = staff_client.get(url, {"plan__exact": "pro"}).context["cl"].result_list
    by_email = staff_client.get(url, {"q": "findme@"}).context["cl"].result_list

    assert [w.name for w in by_plan] == ["Pro crew"]
    assert {w.name for w in by_email} == {"Pro crew", member.personal_workspace.name}


def test_it_gives_a_user_added_in_the_admin_a_personal_workspace(staff_client):
    response = staff_client.post(reverse("admin:accounts_user_add"), {
        "username": "frank", "email": "frank@example.com", "timezone": "Europe/Paris",
        "usable_password": "true", "password1": "plum-orbit-candle-47", "password2": "plum-orbit-candle-47",
    })

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    frank = User.objects.get(username="frank")
    assert (frank.email, frank.timezone) == ("frank@example.com", "Europe/Paris")
    assert Membership.objects.get(user=frank, workspace=frank.personal_workspace).role == Role.OWNER


def test_it_shows_the_time_zone_on_the_user_form(staff_client):
    user = UserFactory()
    page = staff_client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert b'name="timezone"' in page.content


def _inline_post(workspace, memberships, **overrides):
    data = {
        "name": workspace.name, "plan": workspace.plan, "metadata": "{}",
        "memberships-TOTAL_FORMS": str(len(memberships)), "memberships-INITIAL_FORMS": str(len(memberships)),
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, membership in enumerate(memberships):
        data.update({
            f"memberships-{i}-id": str(membership.pk), f"memberships-{i}-workspace": str(workspace.pk),
            f"memberships-{i}-user": str(membership.user_id), f"memberships-{i}-role": membership.role,
        })
    data.update(overrides)
    return data


def test_it_refuses_to_demote_the_last_owner_in_the_workspace_inline(staff_client, team):
    memberships = list(team.workspace.memberships.order_by("id"))
    url = reverse("admin:accounts_workspace_change", args=[team.workspace.pk])

    response = staff_client.post(url, _inline_post(team.workspace, memberships, **{"memberships-0-role": "admin"}))

    assert response.status_code == 200
    assert b"at least one owner" in response.content
    assert Membership.objects.get(pk=memberships[0].pk).role == Role.OWNER

    response = staff_client.post(url, _inline_post(team.workspace, memberships, **{"memberships-1-role": "owner", "name": "Renamed"}))
    assert response.status_code == 302
    assert Membership.objects.get(pk=memberships[1].pk).role == Role.OWNER
    assert Workspace.objects.get(pk=team.workspace.pk).name == "Renamed"


def test_it_refuses_to_delete_the_last_owners_membership(staff_client, team):
    owner = Membership.objects.get(workspace=team.workspace, role=Role.OWNER)
    viewer = Membership.objects.get(workspace=team.workspace, role=Role.VIEWER)

    assert staff_client.get(reverse("admin:accounts_membership_delete", args=[owner.pk])).status_code == 403
    assert staff_client.get(reverse("admin:accounts_membership_delete", args=[viewer.pk])).status_code == 200


def test_it_refuses_to_demote_the_last_owner_on_the_membership_form(staff_client, team):
    owner = Membership.objects.get(workspace=team.workspace, role=Role.OWNER)
    url = reverse("admin:accounts_membership_change", args=[owner.pk])

    response = staff_client.post(url, {"user": owner.user_id, "workspace": team.workspace.pk, "role": "viewer"})

    assert response.status_code == 200
    assert b"last owner" in response.content
    assert Membership.objects.get(pk=owner.pk).role == Role.OWNER


def test_it_never_shows_a_refresh_token_in_the_admin(staff_client):
    refresh = str(RefreshToken.for_user(UserFactory()))
    outstanding = OutstandingToken.objects.get()

    listing = staff_client.get(reverse("admin:token_blacklist_outstandingtoken_changelist"))
    detail = staff_client.get(reverse("admin:token_blacklist_outstandingtoken_change", args=[outstanding.pk]))

    assert listing.status_code == detail.status_code == 200
    assert outstanding.jti.encode() in detail.content
    for page in (listing, detail):
        assert refresh.encode() not in page.content
        assert refresh.split(".")[2].encode() not in page.content
