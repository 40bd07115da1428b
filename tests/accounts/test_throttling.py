"""Plan limits per workspace (fixed hourly windows in Redis) and the per-IP limit on anonymous calls
(a sliding minute).
Plans cap nothing unless an operator configures them: these tests run with the caps an operator
selling the service might set (OPERATOR_PLANS), except those about an unconfigured install.
Time is pinned a few seconds past the hour so no test straddles a window boundary."""

from datetime import datetime, timedelta, timezone

import pytest
from rest_framework.exceptions import Throttled
from rest_framework.test import APIClient

from accounts.models import Membership
from accounts.throttling import consume_scheduled_post, quota_usage
from tests.accounts.conftest import assert_error
from tests.factories import PASSWORD, MembershipFactory, UserFactory, WorkspaceFactory

START = datetime(2030, 1, 7, 10, 0, 5, tzinfo=timezone.utc)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(START, tick=False)]  # a loaded machine must not move the window

ME = "/api/v1/auth/me/"
LOGIN = "/api/v1/auth/login/"
OPERATOR_PLANS = {
    "basic": {"api_calls_per_hour": 100, "scheduled_posts_per_day": 10},
    "pro": {"api_calls_per_hour": 500, "scheduled_posts_per_day": 50},
    "enterprise": {"api_calls_per_hour": 2000, "scheduled_posts_per_day": 200},
}


@pytest.fixture(autouse=True)
def operator_plans(request, settings):
    if "unconfigured" not in request.node.name:
        settings.PLAN_LIMITS = OPERATOR_PLANS


def spend(client, calls, **headers):
    for n in range(calls):
        response = client.get(ME, **headers)
        assert response.status_code == 200, (n, response.json())


def assert_throttled(response, max_wait):
    error = assert_error(response, 429, code="throttled")
    assert 0 < error["retry_after"] <= max_wait
    assert response.headers["Retry-After"] == str(error["retry_after"])
    return error


def test_it_allows_a_basic_workspace_100_calls_an_hour_then_answers_429(client_for):
    client = client_for(UserFactory())

    spend(client, 100)
    error = assert_throttled(client.get(ME), max_wait=3600)

    assert error["retry_after"] >= 3000  # the window resets at 11:00 (the clock ticks on while 100 calls run)


def test_it_allows_a_pro_workspace_500_calls_an_hour(client_for):
    user = UserFactory()
    user.personal_workspace.plan = "pro"
    user.personal_workspace.save()
    client = client_for(user)

    spend(client, 500)
    assert_throttled(client.get(ME), max_wait=3600)


def test_it_counts_per_workspace_not_per_user(client_for):
    user, colleague, stranger = UserFactory(), UserFactory(), UserFactory()
    team = WorkspaceFactory(plan="basic")
    MembershipFactory(workspace=team, user=user, role=Membership.Role.EDITOR)
    MembershipFactory(workspace=team, user=colleague, role=Membership.Role.VIEWER)
    client = client_for(user)

    spend(client, 100, HTTP_X_WORKSPACE=str(team.pk))

    assert_throttled(client.get(ME, HTTP_X_WORKSPACE=str(team.pk)), max_wait=3600)
    assert_throttled(client_for(colleague).get(ME, HTTP_X_WORKSPACE=str(team.pk)), max_wait=3600)
    assert client.get(ME).status_code == 200  # the user's personal workspace has its own counter
    assert client_for(stranger).get(ME).status_code == 200


def test_it_counts_calls_that_fail_validation_too(client_for):
    client = client_for(UserFactory())
    for _ in range(100):
        assert client.patch(ME, {"timezone": "Nowhere/Land"}, format="json").status_code == 400
    assert_throttled(client.get(ME), max_wait=3600)


def test_it_opens_a_fresh_window_next_hour(client_for, time_machine):
    user = UserFactory()
    spend(client_for(user), 100)
    assert client_for(user).get(ME).status_code == 429

    time_machine.move_to(START + timedelta(hours=1))

    assert client_for(user).get(ME).status_code == 200


def test_it_does_not_throttle_when_disabled(client_for, settings):
    settings.THROTTLING_ENABLED = False
    client = client_for(UserFactory())
    spend(client, 101)


def test_it_limits_anonymous_login_attempts_per_ip():
    UserFactory(username="erin")
    attacker = APIClient(REMOTE_ADDR="203.0.113.9")
    for n in range(30):  # other usernames: wrong passwords for erin would lock her account (test_login_limits.py)
        assert attacker.post(LOGIN, {"username": f"erin{n}", "password": "guess"}, format="json").status_code == 401

    error = assert_throttled(attacker.post(LOGIN, {"username": "erin", "password": PASSWORD}, format="json"), max_wait=60)
    assert error["retry_after"] >= 50
    # A made-up X-Forwarded-For does not buy a fresh counter.
    spoofed = attacker.post(LOGIN, {"username": "erin", "password": PASSWORD}, format="json", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert spoofed.status_code == 429

    neighbour = APIClient(REMOTE_ADDR="203.0.113.10")
    assert neighbour.post(LOGIN, {"username": "erin", "password": PASSWORD}, format="json").status_code == 200


def test_it_shares_the_anonymous_limit_across_auth_endpoints(settings):
    settings.REGISTRATION_ENABLED = True
    client = APIClient(REMOTE_ADDR="203.0.113.20")
    for _ in range(30):
        assert client.post("/api/v1/auth/register/", {}, format="json").status_code == 400
    assert_throttled(client.post(LOGIN, {"username": "x", "password": "y"}, format="json"), max_wait=60)
    assert_throttled(client.post("/api/v1/auth/refresh/", {"refresh": "x"}, format="json"), max_wait=60)


def test_it_lets_anonymous_calls_through_again_a_minute_later(time_machine):
    client = APIClient(REMOTE_ADDR="203.0.113.30")
    for _ in range(31):
        client.post(LOGIN, {}, format="json")
    assert client.post(LOGIN, {}, format="json").status_code == 429

    time_machine.move_to(START + timedelta(minutes=1))

    assert client.post(LOGIN, {}, format="json").status_code == 400


def test_the_anonymous_limit_is_a_sliding_minute_not_a_clock_minute(time_machine):
    time_machine.move_to(START + timedelta(seconds=54))  # 10:00:59
    client = APIClient(REMOTE_ADDR="203.0.113.50")
    for _ in range(30):
        assert client.post(LOGIN, {}, format="json").status_code == 400

    time_machine.move_to(START + timedelta(seconds=56))  # 10:01:01: a new clock minute, the same 60 s
    error = assert_throttled(client.post(LOGIN, {}, format="json"), max_wait=60)
    assert error["retry_after"] == 58

    time_machine.move_to(START + timedelta(seconds=115))  # 10:02:00, a minute after the 30 attempts
    assert client.post(LOGIN, {}, format="json").status_code == 400


def test_the_team_page_usage_reads_the_counters_the_limits_are_enforced_on(client_for):
    owner = UserFactory()
    team = WorkspaceFactory(plan="basic")
    MembershipFactory(workspace=team, user=owner, role=Membership.Role.OWNER)
    spend(client_for(owner), 3)
    spend(client_for(owner), 2, HTTP_X_WORKSPACE=str(team.pk))
    consume_scheduled_post(team)

    usage = quota_usage(team)

    assert usage == {"scheduled_posts_today": 1, "scheduled_posts_per_day": 10, "api_calls_this_hour": 5, "api_calls_per_hour": 100}
    assert quota_usage(owner.personal_workspace) == usage  # one owner, one basic budget


def test_it_limits_scheduled_posts_per_day_by_plan():
    workspace, other = WorkspaceFactory(plan="basic"), WorkspaceFactory(plan="basic")
    for _ in range(10):
        consume_scheduled_post(workspace)

    with pytest.raises(Throttled) as raised:
        consume_scheduled_post(workspace)

    assert "10 posts to be scheduled per day" in str(raised.value.detail)
    assert 0 < raised.value.wait <= 86400
    consume_scheduled_post(other)  # another workspace is unaffected


def test_it_counts_clients_behind_a_configured_proxy_by_forwarded_address(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = APIClient(REMOTE_ADDR="10.0.0.1")
    for _ in range(30):
        proxy.post(LOGIN, {}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.40")

    assert proxy.post(LOGIN, {}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.40").status_code == 429
    assert proxy.post(LOGIN, {}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.41").status_code == 400


def test_creating_workspaces_does_not_multiply_the_plans_api_calls(client_for):
    user = UserFactory()
    client = client_for(user)
    spend(client, 40)
    created = [client.post("/api/v1/workspaces/", {"name": f"Side {n}"}, format="json") for n in range(3)]
    assert [r.status_code for r in created] == [201, 201, 201]
    for workspace in created:
        spend(client, 19, HTTP_X_WORKSPACE=str(workspace.json()["id"]))  # 40 + 3 creations + 57 = 100

    fresh = client.post("/api/v1/workspaces/", {"name": "One more"}, format="json")
    assert_throttled(fresh, max_wait=3600)
    assert_throttled(client.get(ME, HTTP_X_WORKSPACE=str(created[0].json()["id"])), max_wait=3600)
    assert client_for(UserFactory()).get(ME).status_code == 200  # another owner has their own budget


def test_members_calls_count_against_the_workspace_owners_budget(client_for):
    owner, editor = UserFactory(), UserFactory()
    team = WorkspaceFactory(plan="basic")
    MembershipFactory(workspace=team, user=owner, role=Membership.Role.OWNER)
    MembershipFactory(workspace=team, user=editor, role=Membership.Role.EDITOR)

    spend(client_for(editor), 100, HTTP_X_WORKSPACE=str(team.pk))

    assert_throttled(client_for(owner).get(ME), max_wait=3600)  # the owner's personal (basic) workspace
    assert client_for(editor).get(ME).status_code == 200  # the editor's own personal workspace


def test_a_team_call_finds_the_owner_s_budget_without_another_query(client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    owner, editor = UserFactory(), UserFactory()
    team = WorkspaceFactory(plan="basic")
    MembershipFactory(workspace=team, user=owner, role=Membership.Role.OWNER)
    MembershipFactory(workspace=team, user=editor, role=Membership.Role.EDITOR)
    client = client_for(editor)
    client.get(ME)  # warm: the token is verified once

    with CaptureQueriesContext(connection) as personal:
        assert client.get(ME).status_code == 200
    with CaptureQueriesContext(connection) as in_team:
        assert client.get(ME, HTTP_X_WORKSPACE=str(team.pk)).status_code == 200

    assert len(in_team) == len(personal)
    assert quota_usage(team)["api_calls_this_hour"] == quota_usage(owner.personal_workspace)["api_calls_this_hour"] == 1


def test_a_workspace_on_another_plan_counts_against_that_plans_budget(client_for):
    user = UserFactory()
    pro = WorkspaceFactory(plan="pro")
    MembershipFactory(workspace=pro, user=user, role=Membership.Role.OWNER)
    client = client_for(user)
    spend(client, 100)
    assert_throttled(client.get(ME), max_wait=3600)

    spend(client, 500, HTTP_X_WORKSPACE=str(pro.pk))
    assert_throttled(client.get(ME, HTTP_X_WORKSPACE=str(pro.pk)), max_wait=3600)


def test_scheduled_posts_per_day_are_counted_per_owner_across_workspaces():
    owner = UserFactory()
    side = WorkspaceFactory(plan="basic")
    MembershipFactory(workspace=side, user=owner, role=Membership.Role.OWNER)
    for _ in range(5):
        consume_scheduled_post(owner.personal_workspace)
        consume_scheduled_post(side)

    with pytest.raises(Throttled):
        consume_scheduled_post(side)
    with pytest.raises(Throttled):
        consume_scheduled_post(owner.personal_workspace)
    consume_scheduled_post(UserFactory().personal_workspace)


# --- An install with no plan configured (self-hosted) ---------------------------------------------
def test_plans_cap_nothing_unless_an_operator_sets_them():
    from config.plans import plan_limits

    assert plan_limits({}) == {plan: {"api_calls_per_hour": None, "scheduled_posts_per_day": None} for plan in ("basic", "pro", "enterprise")}
    configured = plan_limits({"PLAN_BASIC_SCHEDULED_POSTS_PER_DAY": "10", "PLAN_PRO_API_CALLS_PER_HOUR": "0"})
    assert configured["basic"] == {"api_calls_per_hour": None, "scheduled_posts_per_day": 10}
    assert configured["pro"]["api_calls_per_hour"] is None


def test_a_plan_setting_that_is_not_a_count_is_refused_at_start():
    from django.core.exceptions import ImproperlyConfigured

    from config.plans import plan_limits

    with pytest.raises(ImproperlyConfigured, match="PLAN_BASIC_API_CALLS_PER_HOUR='lots' is not a whole number"):
        plan_limits({"PLAN_BASIC_API_CALLS_PER_HOUR": "lots"})


def test_an_unconfigured_install_caps_neither_api_calls_nor_scheduled_posts(client_for):
    from django.conf import settings

    assert settings.PLAN_LIMITS["basic"] == {"api_calls_per_hour": None, "scheduled_posts_per_day": None}
    user = UserFactory()
    spend(client_for(user), 150)
    for _ in range(30):
        consume_scheduled_post(user.personal_workspace)
    assert quota_usage(user.personal_workspace)["scheduled_posts_per_day"] is None


def test_a_daily_cap_that_bites_names_the_setting_that_lifts_it_and_no_seconds():
    workspace = WorkspaceFactory(plan="basic")
    for _ in range(10):
        consume_scheduled_post(workspace)

    with pytest.raises(Throttled) as raised:
        consume_scheduled_post(workspace)

    message = str(raised.value.detail)
    assert "PLAN_BASIC_SCHEDULED_POSTS_PER_DAY" in message and "10 posts to be scheduled per day (UTC)" in message
    assert "seconds" not in message
    assert raised.value.wait == 86400 - 36005 + 1  # until 00:00 UTC, from 10:00:05


def test_an_hourly_cap_that_bites_names_the_setting_that_lifts_it(client_for):
    user = UserFactory()
    user.personal_workspace.plan = "pro"
    user.personal_workspace.save()
    client = client_for(user)
    spend(client, 500)

    error = assert_throttled(client.get(ME), max_wait=3600)

    assert "PLAN_PRO_API_CALLS_PER_HOUR" in error["message"] and "500 API calls per hour" in error["message"]
    assert "seconds" not in error["message"]
