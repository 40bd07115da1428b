"""The web app's Analytics page (Django test client): the overview, follower growth, the best-time
heat map and hashtags of one account, the CSV downloads, and a constant number of queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from analytics.models import AccountSnapshot
from tests.factories import ConnectedAccountFactory, MembershipFactory, WorkspaceFactory

from .seeding import seed_posts

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client, user):
    client.force_login(user)
    return client


def seeded(workspace, n=40):
    account = ConnectedAccountFactory(workspace=workspace, platform="mastodon", platform_username="toot")
    now = timezone.now()
    seed_posts(account, [
        (now - timedelta(days=3, hours=5 * i), {"likes": 30 if i % 4 == 0 else 10, "impressions": 200}, f"post {i} {'#growth' if i % 4 == 0 else '#daily'}")
        for i in range(n)
    ])
    today = now.date()
    AccountSnapshot.objects.create(account=account, day=today - timedelta(days=5), followers=200, captured_at=now)
    AccountSnapshot.objects.create(account=account, day=today, followers=260, captured_at=now)
    return account


def test_the_page_shows_rates_growth_best_times_and_hashtags(member, workspace):
    account = seeded(workspace)

    response = member.get(reverse("webapp:analytics"), {"days": "30"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Followers gained" in html and ">60<" in html
    assert f"{(10 * 30 + 30 * 10) / (40 * 200) * 100:.2f} % of impressions" in html
    assert response.context["times"]["source"] == "account" and response.context["times"]["posts_used"] == 40
    assert html.count('<td class="heat-') == 168
    assert response.context["tags"]["hashtags"][0]["tag"] == "growth" and "#growth" in html
    assert response.context["chart_data"]["followers"] == [200, 260]
    assert f'value="{account.pk}" selected' in html


def test_filters_and_a_foreign_or_unknown_choice(member, workspace):
    seeded(workspace)
    stranger = ConnectedAccountFactory(workspace=WorkspaceFactory())

    x_only = member.get(reverse("webapp:analytics"), {"platform": "x"})
    foreign = member.get(reverse("webapp:analytics"), {"account": stranger.pk, "platform": "nope", "days": "999"})

    assert x_only.context["overview"]["totals"]["posts"] == 0
    assert foreign.status_code == 200 and foreign.context["account"] is None and foreign.context["days"] == 30
    assert foreign.context["overview"]["totals"]["posts"] == 40


def test_the_csv_downloads_are_streamed(member, workspace):
    seeded(workspace, n=5)

    posts = member.get(reverse("webapp:analytics_export", kwargs={"kind": "posts"}), {"days": "7"})
    series = member.get(reverse("webapp:analytics_export", kwargs={"kind": "series"}), {"days": "7"})

    assert posts.streaming and posts["Content-Type"].startswith("text/csv")
    lines = b"".join(posts.streaming_content).decode().splitlines()
    assert lines[0].startswith("post_id,target_id,platform,account") and len(lines) == 6
    assert len(b"".join(series.streaming_content).decode().splitlines()) == 8
    assert member.get(reverse("webapp:analytics_export", kwargs={"kind": "secrets"})).status_code == 404


def test_a_viewer_may_look(client, user):
    shared = WorkspaceFactory()
    MembershipFactory(user=user, workspace=shared, role=Membership.Role.VIEWER)
    client.force_login(user)

    assert client.get(reverse("webapp:analytics")).status_code == 200


def test_the_page_costs_the_same_queries_for_a_short_or_long_history(member, workspace):
    account = seeded(workspace, n=35)
    with CaptureQueriesContext(connection) as few:
        member.get(reverse("webapp:analytics"))
    seed_posts(account, [(timezone.now() - timedelta(days=4, minutes=i), {"likes": i}, f"more {i} #x{i % 9}") for i in range(300)])
    for d in range(20):
        AccountSnapshot.objects.create(account=account, day=date(2026, 1, 1) + timedelta(days=d), followers=d, captured_at=timezone.now())
    with CaptureQueriesContext(connection) as many:
        member.get(reverse("webapp:analytics"))

    assert len(many) == len(few)
