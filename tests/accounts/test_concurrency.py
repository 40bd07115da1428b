"""Races that matter for security and tenancy, run with real concurrent PostgreSQL transactions."""

import threading
import time

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Membership
from tests.accounts.conftest import bearer_client
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(calls):
    """Run each callable in its own thread, released at the same moment; returns their results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_it_spends_a_refresh_token_once_even_when_presented_concurrently():
    refresh = str(RefreshToken.for_user(UserFactory()))

    def attempt():
        return APIClient().post("/api/v1/auth/refresh/", {"refresh": refresh}, format="json").status_code

    statuses = run_together([attempt] * 6)

    assert sorted(statuses) == [200, 401, 401, 401, 401, 401]


def test_it_keeps_an_owner_when_two_owners_demote_each_other_at_once():
    workspace = WorkspaceFactory()
    first, second = (MembershipFactory(workspace=workspace, role=Membership.Role.OWNER).user for _ in range(2))
    clients = {first: bearer_client(first), second: bearer_client(second)}

    def demote(actor, target):
        url = f"/api/v1/workspaces/{workspace.pk}/members/{target.pk}/"
        return lambda: clients[actor].patch(url, {"role": "admin"}, format="json").status_code

    statuses = run_together([demote(first, second), demote(second, first)])

    assert sorted(statuses) in ([200, 403], [200, 409])
    assert Membership.objects.filter(workspace=workspace, role=Membership.Role.OWNER).count() == 1


def _wait_until_blocked_on_a_lock(timeout=10):
    """Until some other session of this database waits for a row lock (the PATCH below)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else the view is read once per transaction
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the PATCH never waited for the workspace lock")


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_a_member_change_racing_the_workspace_delete_answers_404(method):
    """The delete holds the workspace row; the PATCH (or member DELETE) has read the membership and
    waits on the workspace lock; the delete commits; the change then finds no workspace: 404, not 500."""
    workspace = WorkspaceFactory()
    owner = MembershipFactory(workspace=workspace, role=Membership.Role.OWNER).user
    member = MembershipFactory(workspace=workspace, role=Membership.Role.EDITOR).user
    client = bearer_client(owner)
    url = f"/api/v1/workspaces/{workspace.pk}/members/{member.pk}/"
    answer = {}

    def change():
        try:
            answer["response"] = getattr(client, method)(url, {"role": "viewer"}, format="json")
        finally:
            connection.close()

    with transaction.atomic():
        locked = type(workspace).objects.select_for_update().get(pk=workspace.pk)
        thread = threading.Thread(target=change)
        thread.start()
        _wait_until_blocked_on_a_lock()
        locked.delete()
    thread.join(30)

    response = answer["response"]
    assert response.status_code == 404, response.content
    assert response.json()["error"]["code"] == "not_found"
