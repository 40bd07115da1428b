"""The calendar feed (every workspace post in the range, in the user's time zone, exactly the fields the
calendar draws, filters, constant queries, its index), the event thumbnails, the page's CSP nonce, and
dragging a post to another time through the scheduling service."""

import re
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


def test_an_event_is_exactly_what_the_calendar_draws(editor, team_workspace, mastodon, bluesky, other_workspace):
    """id, title, wall-clock start in the user's zone, status, account ids, editable: nothing more."""
    editor.user.timezone = "America/New_York"
    editor.user.save()
    post = scheduled(team_workspace, mastodon, datetime(2030, 1, 15, 14, 30, 5, tzinfo=UTC), content="Launch day")
    PostTargetFactory(post=post, account=bluesky, status=Status.SCHEDULED)
    scheduled(other_workspace["workspace"], other_workspace["account"], datetime(2030, 1, 15, 14, tzinfo=UTC))
    assert events(editor) == [{
        "id": post.pk, "title": "Launch day", "start": "2030-01-15T09:30:05", "status": "scheduled",
        "accounts": [mastodon.pk, bluesky.pk], "editable": True,
    }]


def test_posted_posts_sit_at_their_publish_time_and_cannot_be_dragged(editor, team_workspace, mastodon):
    post = scheduled(team_workspace, mastodon, datetime(2030, 1, 3, 9, tzinfo=UTC), status=Status.POSTED, posted_at=datetime(2030, 1, 3, 9, 0, 2, tzinfo=UTC))
    assert events(editor) == [{"id": post.pk, "title": post.content, "start": "2030-01-03T09:00:02", "status": "posted", "accounts": [mastodon.pk]}]


def test_a_post_published_inside_the_window_is_shown_though_it_was_scheduled_before_it(editor, team_workspace, mastodon):
    """A post sits at its publish time once posted; its scheduled time no longer places it."""
    inside = scheduled(team_workspace, mastodon, datetime(2029, 12, 31, 23, tzinfo=UTC), status=Status.POSTED, posted_at=datetime(2030, 1, 1, 0, 0, 3, tzinfo=UTC))
    scheduled(team_workspace, mastodon, datetime(2030, 1, 20, tzinfo=UTC), status=Status.POSTED, posted_at=datetime(2030, 2, 1, 0, 0, 1, tzinfo=UTC))
    assert [e["id"] for e in events(editor)] == [inside.pk]


def test_titles_are_cut_at_60_characters_and_an_empty_text_says_so(editor, team_workspace, mastodon):
    scheduled(team_workspace, mastodon, datetime(2030, 1, 5, tzinfo=UTC), content="é" * 61)
    scheduled(team_workspace, mastodon, datetime(2030, 1, 6, tzinfo=UTC), content="x" * 60)
    scheduled(team_workspace, mastodon, datetime(2030, 1, 7, tzinfo=UTC), content="")
    assert [e["title"] for e in events(editor)] == ["é" * 59 + "…", "x" * 60, "(no text)"]


def test_a_post_with_media_names_the_first_file_that_has_a_thumbnail(editor, team_workspace, mastodon):
    from media.models import MediaFile
    from social_media.models import PostMedia
    from tests.factories import MediaFileFactory

    post = scheduled(team_workspace, mastodon, datetime(2030, 1, 5, tzinfo=UTC))
    processing = MediaFileFactory(workspace=team_workspace, status=MediaFile.ProcessingStatus.PROCESSING)
    ready = MediaFileFactory(workspace=team_workspace, thumbnail="thumbs/one.jpg")
    PostMedia.objects.create(post=post, media=processing, order=0)  # no thumbnail yet: skipped
    PostMedia.objects.create(post=post, media=ready, order=1)
    bare = scheduled(team_workspace, mastodon, datetime(2030, 1, 6, tzinfo=UTC))
    by_id = {e["id"]: e for e in events(editor)}
    assert by_id[post.pk]["thumb"] == ready.pk
    assert "thumb" not in by_id[bare.pk]


def test_every_post_in_a_busy_month_is_in_the_feed(editor, team_workspace, mastodon):
    """The issue's month: 2,162 posted and 1,001 scheduled posts in a 42-day view. The old feed stopped
    at the first 2,000 by time, so none of the scheduled ones (the later ones) appeared."""
    from social_media.models import Post, PostTarget

    start = datetime(2030, 1, 1, tzinfo=UTC)
    rows = [
        Post(workspace=team_workspace, content=f"Done {i}", status=Status.POSTED, scheduled_time=start + timedelta(minutes=13 * i),
             posted_at=start + timedelta(minutes=13 * i, seconds=2))
        for i in range(2162)
    ] + [
        Post(workspace=team_workspace, content=f"Next {i}", status=Status.SCHEDULED, scheduled_time=start + timedelta(days=30, minutes=17 * i))
        for i in range(1001)
    ]
    posts = Post.objects.bulk_create(rows)
    PostTarget.objects.bulk_create([PostTarget(post=p, account=mastodon, status=p.status) for p in posts])
    feed = events(editor, start="2030-01-01T00:00:00", end="2030-02-12T00:00:00")
    assert len(feed) == 3163
    assert {e["id"] for e in feed} == {p.pk for p in posts}
    assert sum(e.get("editable", False) for e in feed) == 1001
    assert [e["start"] for e in feed] == sorted(e["start"] for e in feed)


def test_drafts_and_posts_outside_the_window_are_left_out(editor, team_workspace, mastodon):
    PostFactory(workspace=team_workspace, status=Status.DRAFT, scheduled_time=datetime(2030, 1, 5, tzinfo=UTC))
    scheduled(team_workspace, mastodon, datetime(2030, 2, 1, tzinfo=UTC))  # the end is excluded
    scheduled(team_workspace, mastodon, datetime(2029, 12, 31, 23, 59, 59, tzinfo=UTC))
    assert events(editor) == []


def test_it_filters_by_account_and_status(editor, team_workspace, mastodon, bluesky):
    a = scheduled(team_workspace, mastodon, datetime(2030, 1, 5, tzinfo=UTC))
    b = scheduled(team_workspace, bluesky, datetime(2030, 1, 6, tzinfo=UTC), status=Status.FAILED)
    assert [e["id"] for e in events(editor, account=bluesky.pk)] == [b.pk]
    assert [e["id"] for e in events(editor, status="scheduled")] == [a.pk]
    assert [e["id"] for e in events(editor, status="scheduled", account=bluesky.pk)] == []


def test_a_viewer_sees_events_but_none_is_draggable(viewer, team_workspace, mastodon):
    scheduled(team_workspace, mastodon, datetime(2030, 1, 5, tzinfo=UTC))
    assert ["editable" in e for e in events(viewer)] == [False]


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
    assert count() == few <= 4  # session, user, membership, the feed


def test_the_feed_reads_the_window_through_its_index(team_workspace):
    """The query's window is the indexed expression: with sequential scans off, PostgreSQL plans it
    through post_calendar_idx (an edit to either that no longer matches fails here)."""
    from webapp.calendar_feed import FEED_SQL

    params = {
        "workspace": team_workspace.pk, "tz": "UTC", "start": datetime(2030, 1, 1, tzinfo=UTC), "end": datetime(2030, 2, 1, tzinfo=UTC),
        "can_edit": True, "draggable": ["scheduled"], "title": 60, "draft": "draft", "account": None, "status": None,
    }
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + FEED_SQL, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "post_calendar_idx" in plan, plan


@pytest.mark.parametrize("params, field, message", [
    ({"start": "soon"}, "start", "Enter a date and time, e.g. 2030-01-31T00:00:00."),
    ({"end": "2030-01-01T00:00:00+99:00"}, "end", "Enter a date and time, e.g. 2030-01-31T00:00:00."),
    ({"end": "2030-03-05T00:00:00"}, "end", "The range can be at most 62 days long."),
    ({"end": "2029-12-01T00:00:00"}, "end", "The end must be after the start."),
])
def test_a_range_that_cannot_be_shown_whole_is_refused_not_cut(editor, params, field, message):
    response = editor.get(reverse("webapp:calendar_events"), {**WINDOW, **params})
    assert response.status_code == 400
    assert response.json() == {"ok": False, "message": message, "errors": {field: [message]}}


def test_an_offset_postgresql_cannot_take_is_read_as_its_utc_instant(editor, team_workspace, mastodon):
    """+16:00 is valid to Python but beyond PostgreSQL's ±15:59 (a DataError, a 500, before)."""
    post = scheduled(team_workspace, mastodon, datetime(2030, 1, 1, 0, 30, tzinfo=UTC))
    assert [e["id"] for e in events(editor, start="2030-01-01T16:00:00+16:00")] == [post.pk]


def test_the_thumbnail_is_served_to_members_only(editor, team_workspace, other_workspace):
    from django.core.files.base import ContentFile

    from tests.factories import MediaFileFactory

    media = MediaFileFactory(workspace=team_workspace)
    media.thumbnail.save("thumb.jpg", ContentFile(b"\xff\xd8\xff thumbnail bytes"))
    response = editor.get(reverse("webapp:media_thumbnail", kwargs={"media_id": media.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == b"\xff\xd8\xff thumbnail bytes"
    theirs = MediaFileFactory(workspace=other_workspace["workspace"], thumbnail=media.thumbnail.name)
    assert editor.get(reverse("webapp:media_thumbnail", kwargs={"media_id": theirs.pk})).status_code == 404
    none_yet = MediaFileFactory(workspace=team_workspace)
    assert editor.get(reverse("webapp:media_thumbnail", kwargs={"media_id": none_yet.pk})).status_code == 404


def test_the_page_gives_fullcalendar_the_csp_nonce_and_editors_the_composer(editor, viewer):
    response = editor.get(reverse("webapp:calendar"))
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'fullcalendar-6.1.22.min.js" nonce="{nonce}"' in html
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert f'data-compose-url="{reverse("webapp:compose")}"' in html
    assert "data-compose-url" not in viewer.get(reverse("webapp:calendar")).content.decode()


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
    assert editor.get(reverse("webapp:calendar_events"), {"start": "9999-12-31T00:00:00", "end": "9999-12-31T23:59:59-05:00"}).status_code == 400


def test_a_time_zone_the_database_does_not_know_is_a_400_that_says_so(editor, team_workspace, mastodon):
    """The profile offers Python's zone names; one PostgreSQL's tz database lacks cannot be converted
    there (none of the profile's today: "posix/Europe/Berlin" loads in Python from the system's
    zoneinfo folder, and in a PostgreSQL built with the system's tzdata, but not in the embedded
    server's own tz database): the answer says so instead of a 500."""
    from django.contrib.auth import get_user_model

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_timezone_names WHERE name = 'posix/Europe/Berlin'")
        if cursor.fetchone()[0]:
            pytest.skip("this PostgreSQL reads the system's tzdata: it knows every zone Python does")
    get_user_model().objects.filter(pk=editor.user.pk).update(timezone="posix/Europe/Berlin")  # past the profile's list
    scheduled(team_workspace, mastodon, datetime(2030, 1, 5, tzinfo=UTC))
    response = editor.get(reverse("webapp:calendar_events"), WINDOW)
    assert response.status_code == 400
    assert response.json()["errors"] == {"timezone": ["This server's database does not know the time zone posix/Europe/Berlin; choose another in your profile."]}


def test_a_thread_is_one_event_that_says_how_many_posts_it_has(editor, team_workspace, mastodon, bluesky):
    """docs/threads.md: parts are rows of their own, never events; `parts` counts the thread's posts."""
    from social_media.models import ThreadPart

    thread = scheduled(team_workspace, mastodon, datetime(2030, 1, 8, tzinfo=UTC), content="Head")
    PostTargetFactory(post=thread, account=bluesky, status=Status.SCHEDULED)
    for position in (1, 2, 3):
        ThreadPart.objects.create(post=thread, position=position, content=f"Part {position}")
    single = scheduled(team_workspace, mastodon, datetime(2030, 1, 9, tzinfo=UTC), content="Alone")
    feed = events(editor)
    assert [(e["id"], e.get("parts")) for e in feed] == [(thread.pk, 4), (single.pk, None)]
