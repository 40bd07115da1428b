"""In Chromium: the composer warns, beside the account, when the chosen time would be past the network's
daily publishing limit, and scheduling still goes ahead with the warning shown (a warning, not an error).
Fails on any console error (the browser conftest)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Membership
from social_media.models import Post, Status
from tests.factories import ConnectedAccountFactory, MembershipFactory, PostFactory, PostTargetFactory, UserFactory, WorkspaceFactory
from tests.webapp.browser.test_composer_browser import WORKSPACE, enter, type_time

pytestmark = pytest.mark.django_db(transaction=True)
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def world(db):
    user = UserFactory(username="newcomer")
    user.timezone = "Europe/Berlin"
    user.save()
    workspace = WorkspaceFactory(name=WORKSPACE)
    MembershipFactory(user=user, workspace=workspace, role=Membership.Role.OWNER)
    threads = ConnectedAccountFactory(workspace=workspace, platform="threads", platform_username="bakery", platform_settings={"quota_total": 2})
    for hours in (9, 10):  # two posts already scheduled that morning
        at = datetime(2031, 3, 15, hours, tzinfo=BERLIN)
        post = PostFactory(workspace=workspace, content=f"Morning {hours}", status=Status.SCHEDULED, scheduled_time=at)
        PostTargetFactory(post=post, account=threads, status=Status.SCHEDULED, next_attempt_at=at)
    return {"user": user, "workspace": workspace, "account": threads}


def test_a_third_post_within_a_day_on_an_account_limited_to_two_is_warned_then_scheduled(page, world):
    account = world["account"]
    enter(page, world)
    page.open("/compose/")
    checkbox = page.find(f'input[name=accounts][value="{account.pk}"]')
    if not checkbox.is_selected():
        checkbox.click()
    page.find("#id_content").send_keys("Fresh bread at noon")
    assert type_time(page, "03152031", "1200P") == "2031-03-15T12:00"
    page.wait_until(lambda: "publishes at most 2 posts per 24 hours" in page.find("#validation").text,
                    message="the live check did not warn about the publishing limit")
    assert page.find("#validation li.warning").is_displayed() and not page.find_all("#validation li.error")

    assert type_time(page, "03172031", "1200P") == "2031-03-17T12:00"  # two days later: room again
    page.wait_until(lambda: "publishes at most" not in page.find("#validation").text, message="the warning stayed for a free day")

    type_time(page, "03152031", "1200P")
    page.find("button[name=action][value=schedule]").click()
    page.wait_for(".message.warning")
    assert "this one will wait until a slot frees" in page.find(".message.warning").text
    post = Post.objects.get(content="Fresh bread at noon")
    assert post.status == Status.SCHEDULED and post.scheduled_time == datetime(2031, 3, 15, 12, tzinfo=BERLIN)
