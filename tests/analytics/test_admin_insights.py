"""The staff analytics page in the admin: charts' data, top posts and a best-time heat map per account,
for staff only, with our own static files."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.models import AccountSnapshot
from tests.factories import ConnectedAccountFactory, UserFactory, WorkspaceFactory

from .seeding import seed_posts

pytestmark = pytest.mark.django_db
URL = "/admin/analytics/postanalytics/insights/"


@pytest.fixture
def staff(client):
    user = UserFactory()
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    return client


def test_staff_see_series_growth_top_posts_and_a_heat_map_per_account(staff):
    workspace = WorkspaceFactory(name="Acme")
    a = ConnectedAccountFactory(workspace=workspace, platform="mastodon", platform_username="one")
    b = ConnectedAccountFactory(workspace=workspace, platform="x", platform_username="two")
    now = timezone.now()
    seed_posts(a, [(now - timedelta(days=3, hours=i), {"likes": 5 + i}, f"post {i}") for i in range(5)])
    AccountSnapshot.objects.create(account=a, day=now.date() - timedelta(days=2), followers=10, captured_at=now)
    AccountSnapshot.objects.create(account=a, day=now.date(), followers=25, captured_at=now)

    response = staff.get(URL, {"workspace": workspace.pk, "days": "7"})

    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["chart_data"]["followers"] == [10, 25] and sum(response.context["chart_data"]["engagement"]) == 35
    assert "post 4" in html and "Change over the period: 15." in html
    assert [m["account"].pk for m in response.context["maps"]] == [a.pk, b.pk]
    assert html.count('<td class="heat-') == 2 * 168
    assert "/static/webapp/vendor/chart-4.6.1.umd.min.js" in html and "<script>" not in html
    assert reverse("admin:analytics_insights") in staff.get("/admin/analytics/postanalytics/").content.decode()


def test_an_unknown_workspace_falls_back_and_no_staff_no_page(client, staff):
    WorkspaceFactory(name="First")
    assert staff.get(URL, {"workspace": "99999999999999999999999"}).status_code == 200

    client.force_login(UserFactory())
    assert client.get(URL).status_code == 302  # to the admin login


def test_a_follower_series_date_is_kept(staff):
    workspace = WorkspaceFactory()
    account = ConnectedAccountFactory(workspace=workspace)
    AccountSnapshot.objects.create(account=account, day=date.today(), followers=3, captured_at=timezone.now())

    response = staff.get(URL, {"workspace": workspace.pk})

    assert response.context["chart_data"]["followerDays"] == [date.today().isoformat()]
