"""The composer warns, per account, before a post is scheduled past the network's daily publishing limit
(Instagram's content_publishing_limit, Threads' 250 a day): a warning, not an error, in the live check and
after scheduling (social_media.services.publishing_quota)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from social_media.models import Post, Status
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory

pytestmark = pytest.mark.django_db

BASE = datetime(2030, 1, 31, 9, 0, tzinfo=UTC)


@pytest.fixture
def threads(team_workspace):
    """A Threads account whose last-read threads_publishing_limit said 2 posts per 24 hours."""
    account = ConnectedAccountFactory(workspace=team_workspace, platform="threads", platform_username="baker",
                                      platform_settings={"quota_total": 2})
    for hours in (0, 1):
        at = BASE + timedelta(hours=hours)
        post = PostFactory(workspace=team_workspace, content=f"earlier {hours}", status=Status.SCHEDULED, scheduled_time=at)
        PostTargetFactory(post=post, account=account, status=Status.SCHEDULED, next_attempt_at=at)
    return account


@pytest.fixture
def utc_editor(editor):
    editor.user.timezone = "UTC"
    editor.user.save()
    return editor


def validate(client, **data):
    return client.post(reverse("webapp:compose_validate"), data, HTTP_HX_REQUEST="true").content.decode()


def test_the_live_check_warns_when_the_time_is_past_the_daily_publishing_limit(utc_editor, threads):
    html = validate(utc_editor, accounts=[threads.pk], content="Third today", scheduled_time="2030-01-31T15:00:00")
    assert '<li class="warning">Threads publishes at most 2 posts per 24 hours from apps, and @baker already has 2' in html
    assert "· ready" in html  # a warning, not an error
    assert "publishes at most" not in validate(utc_editor, accounts=[threads.pk], content="Later", scheduled_time="2030-02-03T15:00:00")


def test_scheduling_past_the_limit_succeeds_and_says_the_post_will_wait(utc_editor, threads):
    response = utc_editor.post(reverse("webapp:compose"), {"accounts": [threads.pk], "content": "Third today", "action": "schedule",
                                                           "scheduled_time": "2030-01-31T15:00:00"}, follow=True)
    assert Post.objects.get(content="Third today").status == Status.SCHEDULED
    html = response.content.decode()
    assert "Scheduled for" in html and "this one will wait until a slot frees" in html
