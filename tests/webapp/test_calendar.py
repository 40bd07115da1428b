"""The calendar feed (workspace posts in the user's time zone, filters, constant queries) and dragging
a post to another time through the scheduling service."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from social_media.models import Status
from tests.factories import PostFactory, PostTargetFactory

pytestmark = pytest.mark.django_db

WINDOW = {"start": "2030-01-01T00:00:00", "end": "2030-02-01T00:00:00"}


def scheduled(workspace, account, at, status=Status.SCHEDULED, **fields):
    post = PostFactory(workspace=workspace, status=status, scheduled_time=at, **fields)
    PostTargetFactory(post=post, account=account, status=status)
    return post


def events(client, **params):
    response = client.get(reverse("webapp:calendar_events"), {**WINDOW, **params})
    assert response.status_code == 200
    return response.json()


def test_events_are_the_workspaces_posts_in_the_users_time_zone(editor, team_workspace, mastodon, other_workspace):
    editor.user.timezone = "America/New_York"
    editor.user.save()
    post = scheduled(team_workspace, mastodon, datetime(2030, 1, 15, 14, 30, 5, tzinfo=UTC))
    scheduled(other_workspace["workspace"], other_workspace["account"], datetime(2030, 1, 15, 14, tzinfo=UTC))
    [event] = events(editor, timeZone="America/New_York")
    assert event["id"] == str(post.pk)
    assert event["start"] == "2030-01-15T09:30:05"
    assert event["classNames"] == ["status-scheduled"] and event["editable"] is True
    assert event["extendedProps"]["accounts"] == ["Mastodon @alice"]


def test_posted_posts_sit_at_their_publish_time_and_cannot_be_dragged(editor, team_workspace, mastodon):
    scheduled(team_workspace, mastodon, datetime(2030, 1, 3, 9, tzinfo=UTC), status=Status.POSTED, posted_at=datetime(2030, 1, 3, 9, 0, 2, tzinfo=UTC))
    [event] = events(editor)
    assert event["start"] == "2030-01-03T09:00:02" and event["editable"] is False and event["classNames"] == ["status-posted"]


def test_drafts_and_posts_outside_the_window_are_left_out(editor, team_workspace, mastodon):
    PostFactory(workspace=team_workspace, status=Status.DRAFT)
    scheduled(team_workspace, mastodon, datetime(2030, 3, 1, tzinfo=UTC))
    assert events(editor) == []


def test_it_filters_by_account_and_status(editor, team_workspace, mastodon, bluesky):
    a = scheduled(team_workspace, mastodon, datetime(2030, 1, 5, tzinfo=UTC))
    b = scheduled(team_workspace, bluesky, datetime(2030, 1, 6, tzinfo=UTC), status=Status.FAILED)
    assert [e["id"] for e in events(editor, account=bluesky.pk)] == [str(b.pk)]
    assert [e["id"] for e in events(editor, status="scheduled")] == [str(a.pk)]


def test_a_viewer_sees_events_but_none_is_draggable(viewer, team_workspace, mastodon):
    scheduled(team_workspace, mastodon, datetime(2030, 1, 5, tzinfo=UTC))
    assert [e["editable"] for e in events(viewer)] == [False]


def test_the_feed_takes_the_same_queries_for_3_or_30_posts(editor, team_workspace, mastodon, bluesky):
    def count():
        with CaptureQueriesContext(connection) as queries:
            events(editor)
        return len(queries)

    for day in range(3):
        post = scheduled(team_workspace, mastodon, datetime(2030, 1, 2 + day, tzinfo=UTC))
        PostTargetFactory(post=post, account=bluesky, status=Status.SCHEDULED)
    few = count()
    for day in range(27):
        post = scheduled(team_workspace, mastodon, datetime(2030, 1, 2, day % 24, tzinfo=UTC) + timedelta(days=day % 20))
        PostTargetFactory(post=post, account=bluesky, status=Status.SCHEDULED)
    assert len(events(editor)) == 30
    assert count() == few


def reschedule(client, post, value):
    return client.post(reverse("webapp:reschedule", kwargs={"post_id": post.pk}), {"scheduled_time": value})


def test_dragging_reschedules_to_the_wall_clock_time_in_the_users_zone(editor, team_workspace, mastodon):
    editor.user.timezone = "Europe/Berlin"
    editor.user.save()
    post = scheduled(team_workspace, mastodon, datetime(2030, 1, 15, 8, tzinfo=UTC))
    response = reschedule(editor, post, "2030-01-17T09:15:30")
    assert response.status_code == 200 and response.json()["ok"] is True
    post.refresh_from_db()
    assert post.scheduled_time == datetime(2030, 1, 17, 8, 15, 30, tzinfo=UTC)
    assert post.targets.get().next_attempt_at == post.scheduled_time
    assert response.json()["message"] == "Rescheduled to Thu 17 Jan 2030 09:15:30."


def assert_refused(response, status, message, post, at):
    """The calendar's drop was refused with `message`, and the post keeps its time `at`."""
    assert response.status_code == status
    assert response.json() == {"ok": False, "message": message}
    post.refresh_from_db()
    assert post.scheduled_time == at


def test_a_claimed_post_is_not_moved_and_the_answer_says_why(editor, team_workspace, mastodon):
    at = datetime(2030, 1, 15, 8, tzinfo=UTC)
    post = PostFactory(workspace=team_workspace, status=Status.PUBLISHING, scheduled_time=at)
    PostTargetFactory(post=post, account=mastodon, status=Status.PUBLISHING)
    response = reschedule(editor, post, "2030-01-17T09:15:30")
    assert_refused(response, 409, "The post can no longer be scheduled: a target is publishing: it is being published right now.", post, at)


def test_a_time_in_the_past_or_nonsense_is_refused(editor, team_workspace, mastodon):
    post = scheduled(team_workspace, mastodon, datetime(2030, 1, 15, 8, tzinfo=UTC))
    assert reschedule(editor, post, "2020-01-01T00:00:00").json()["message"] == "Must be in the future."
    assert reschedule(editor, post, "soon").status_code == 400


def test_viewers_and_other_workspaces_cannot_reschedule(viewer, editor, team_workspace, mastodon, other_workspace):
    post = scheduled(team_workspace, mastodon, datetime(2030, 1, 15, 8, tzinfo=UTC))
    assert reschedule(viewer, post, "2030-01-17T09:00:00").status_code == 403
    assert reschedule(editor, other_workspace["post"], "2030-01-17T09:00:00").status_code == 404


def test_the_post_panel_shows_targets_links_and_attempts(editor, team_workspace, mastodon):
    from social_media.models import PublishAttempt

    post = scheduled(team_workspace, mastodon, datetime(2030, 1, 3, 9, tzinfo=UTC), status=Status.POSTED)
    target = post.targets.get()
    target.platform_post_url = "https://mastodon.example/@alice/1"
    target.save()
    PublishAttempt.objects.create(target=target, attempt_number=1, started_at=datetime(2030, 1, 3, 9, tzinfo=UTC), outcome="retry", http_status=503, message="Server busy")
    html = editor.get(reverse("webapp:post_detail", kwargs={"post_id": post.pk}), HTTP_HX_REQUEST="true").content.decode()
    assert "<!doctype" not in html  # a fragment for the panel
    assert 'href="https://mastodon.example/@alice/1"' in html
    assert "Will retry (HTTP 503): Server busy" in html


def test_a_time_past_year_9999_in_utc_is_refused_and_the_post_keeps_its_time(editor, team_workspace, mastodon):
    editor.user.timezone = "America/New_York"
    editor.user.save()
    at = datetime(2030, 1, 15, 8, tzinfo=UTC)
    post = scheduled(team_workspace, mastodon, at)
    response = reschedule(editor, post, "9999-12-31T23:00:00")
    assert_refused(response, 400, "This time is outside the supported range (years 1 to 9999 in UTC).", post, at)


def test_a_window_at_the_end_of_the_calendar_and_odd_filters_answer_200(editor, team_workspace, mastodon):
    """start + the 62-day cap overflowed past 9999-12-31, and "²" passes str.isdigit() but not int():
    both were 500s; the feed answers an empty list instead."""
    assert events(editor, start="9999-12-31T00:00:00", end="9999-12-31T23:59:59") == []
    scheduled(team_workspace, mastodon, datetime(2030, 1, 5, tzinfo=UTC))
    assert len(events(editor, account="²")) == 1  # ignored like any other non-id
    assert events(editor, account="9" * 30) == []
