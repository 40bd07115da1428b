"""Races that matter for security and tenancy, run with real concurrent PostgreSQL transactions."""

import threading

import pytest
from django.db import connection
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
