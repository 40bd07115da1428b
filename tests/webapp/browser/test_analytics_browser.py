"""Chromium: the Analytics page with a history — charts drawn, the best-time heat map of another
account picked in its form, checked live (axe, both widths, no console error)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.models import AccountSnapshot
from tests.analytics.seeding import seed_posts
from tests.factories import PASSWORD, ConnectedAccountFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_analytics_page_draws_its_charts_and_heat_map(page):
    user = UserFactory(username="ana")
    workspace = user.personal_workspace
    masto = ConnectedAccountFactory(workspace=workspace, platform="mastodon", platform_username="acme")
    sky = ConnectedAccountFactory(workspace=workspace, platform="bluesky", platform_username="acme.bsky.social")
    now = timezone.now()
    for account, factor in ((masto, 1), (sky, 2)):
        seed_posts(account, [(now - timedelta(days=3, hours=7 * i), {"likes": factor * (5 + i % 4)}, f"post {i} #tag{i % 3}") for i in range(40)])
        for d in range(10):
            AccountSnapshot.objects.create(account=account, day=(now - timedelta(days=d)).date(), followers=100 * factor - d, captured_at=now)

    page.open("/login/")
    page.find("#id_username").send_keys("ana")
    page.find("#id_password").send_keys(PASSWORD)
    page.find("main button[type=submit]").click()
    page.wait_for("#workspace-switch")  # signed in (an <h1> could still be the login page's)
    page.open("/analytics/?days=30")
    page.wait_until(lambda: page.driver.execute_script(
        "return ['chart-daily', 'chart-followers', 'chart-networks'].every(id => window.Chart && Chart.getChart(id))"),
        message="the charts were not drawn")
    assert len(page.find_all("#best-times td[class^=heat-]")) == 168
    page.check("analytics")

    from selenium.webdriver.support.ui import Select

    Select(page.find("#focus")).select_by_visible_text("Bluesky @acme.bsky.social")
    page.find("#best-times button[type=submit]").click()
    page.wait_until(lambda: "focus=" in page.driver.current_url)
    assert "40 posts" in page.find("#best-times").text or "Learnt from this account's 40 posts" in page.find("#best-times").text
    assert "#tag" in page.find("#hashtags").text
