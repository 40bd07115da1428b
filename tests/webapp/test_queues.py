"""Queue pages: create/edit with weekly times in the queue's zone, next free slots, adding a draft,
reordering; errors next to the fields; roles and other workspaces."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from social_media.models import PostQueue, Status
from tests.factories import PostFactory, PostQueueFactory

pytestmark = pytest.mark.django_db


def queue_data(**overrides):
    data = {"name": "Mornings", "description": "", "timezone": "Europe/Berlin", "is_active": "on", "day_monday": "09:00, 15:30", "day_friday": "08:00"}
    data.update(overrides)
    return data


def test_it_creates_a_queue_with_its_weekly_times(editor, mastodon):
    response = editor.post(reverse("webapp:queue_new"), queue_data(accounts=[mastodon.pk]))
    queue = PostQueue.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("webapp:queue_detail", kwargs={"queue_id": queue.pk})
    assert queue.posting_schedule == {"monday": ["09:00", "15:30"], "friday": ["08:00"]}
    assert queue.timezone == "Europe/Berlin" and list(queue.target_accounts.all()) == [mastodon]


def test_a_bad_time_is_refused_next_to_its_day(editor):
    response = editor.post(reverse("webapp:queue_new"), queue_data(day_monday="9am"))
    assert response.status_code == 400
    assert "id=\"id_day_monday_error\">&#x27;9am&#x27; is not a time in 24-hour HH:MM form." in response.content.decode()
    assert not PostQueue.objects.exists()


def test_a_missing_name_is_refused_next_to_the_name(editor):
    response = editor.post(reverse("webapp:queue_new"), queue_data(name=""))
    assert response.status_code == 400 and 'id="id_name_error">This field is required.' in response.content.decode()


def test_editing_keeps_the_form_filled_and_saves(editor, team_workspace):
    queue = PostQueueFactory(workspace=team_workspace, posting_schedule={"monday": ["09:00"]})
    form = editor.get(reverse("webapp:queue_edit", kwargs={"queue_id": queue.pk})).content.decode()
    assert 'value="09:00"' in form
    editor.post(reverse("webapp:queue_edit", kwargs={"queue_id": queue.pk}), queue_data(name="Renamed", day_monday="", day_friday="", day_sunday="10:00"))
    queue.refresh_from_db()
    assert queue.name == "Renamed" and queue.posting_schedule == {"sunday": ["10:00"]}


def test_the_queue_page_shows_free_slots_and_lined_up_posts(editor, team_workspace, mastodon):
    queue = PostQueueFactory(workspace=team_workspace, timezone="UTC", posting_schedule={"monday": ["09:00"]})
    queue.target_accounts.add(mastodon)
    draft = PostFactory(workspace=team_workspace, content="Wait in line")
    editor.post(reverse("webapp:queue_add", kwargs={"queue_id": queue.pk}), {"post": draft.pk})
    draft.refresh_from_db()
    assert draft.status == Status.SCHEDULED and draft.scheduled_time.weekday() == 0
    html = editor.get(reverse("webapp:queue_detail", kwargs={"queue_id": queue.pk})).content.decode()
    assert "Wait in line" in html and html.count("Mon ") >= 5


def test_reorder_swaps_the_slots(editor, team_workspace, mastodon):
    queue = PostQueueFactory(workspace=team_workspace, timezone="UTC", posting_schedule={"monday": ["09:00"], "tuesday": ["09:00"]})
    queue.target_accounts.add(mastodon)
    first, second = PostFactory(workspace=team_workspace), PostFactory(workspace=team_workspace)
    for post in (first, second):
        editor.post(reverse("webapp:queue_add", kwargs={"queue_id": queue.pk}), {"post": post.pk})
    first.refresh_from_db(), second.refresh_from_db()
    slots = (first.scheduled_time, second.scheduled_time)
    response = editor.post(reverse("webapp:queue_reorder", kwargs={"queue_id": queue.pk}), {"post_ids": f"{second.pk},{first.pk}"}, HTTP_ACCEPT="application/json")
    assert response.json() == {"ok": True, "message": "New order saved."}
    first.refresh_from_db(), second.refresh_from_db()
    assert (second.scheduled_time, first.scheduled_time) == slots


def test_reorder_with_a_wrong_list_says_what_is_expected(editor, team_workspace):
    queue = PostQueueFactory(workspace=team_workspace)
    response = editor.post(reverse("webapp:queue_reorder", kwargs={"queue_id": queue.pk}), {"post_ids": "1,x"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and response.json()["message"] == "Give post ids separated by commas."


def test_reorder_with_digits_int_cannot_read_is_refused(editor, team_workspace):
    """"²" passes str.isdigit() but int() refuses it: the form raised ValueError (a 500)."""
    queue = PostQueueFactory(workspace=team_workspace)
    response = editor.post(reverse("webapp:queue_reorder", kwargs={"queue_id": queue.pk}), {"post_ids": "²"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json() == {"ok": False, "message": "Give post ids separated by commas."}


def test_adding_a_post_that_is_not_a_draft_is_refused(editor, team_workspace):
    queue = PostQueueFactory(workspace=team_workspace)
    scheduled = PostFactory(workspace=team_workspace, status=Status.SCHEDULED, scheduled_time=datetime(2030, 1, 1, tzinfo=UTC))
    response = editor.post(reverse("webapp:queue_add", kwargs={"queue_id": queue.pk}), {"post": scheduled.pk}, follow=True)
    assert "Select a valid choice" in response.content.decode()


def test_viewers_cannot_change_queues(viewer, team_workspace):
    queue = PostQueueFactory(workspace=team_workspace)
    assert viewer.post(reverse("webapp:queue_new"), queue_data()).status_code == 403
    assert viewer.post(reverse("webapp:queue_reorder", kwargs={"queue_id": queue.pk}), {"post_ids": ""}).status_code == 403
    assert "Viewers cannot add posts." in viewer.get(reverse("webapp:queue_detail", kwargs={"queue_id": queue.pk})).content.decode()


def test_another_workspaces_queue_answers_404(editor, other_workspace):
    queue = other_workspace["queue"]
    for name in ("queue_detail", "queue_edit"):
        assert editor.get(reverse(f"webapp:{name}", kwargs={"queue_id": queue.pk})).status_code == 404
    assert editor.post(reverse("webapp:queue_add", kwargs={"queue_id": queue.pk}), {"post": 1}).status_code == 404


def test_the_queue_list_paginates_in_constant_queries(editor, team_workspace, mastodon, settings, django_assert_max_num_queries):
    settings.WEBAPP_PAGE_SIZE = 10
    for _ in range(25):
        PostQueueFactory(workspace=team_workspace).target_accounts.add(mastodon)
    with django_assert_max_num_queries(12):
        response = editor.get(reverse("webapp:queues"), {"page": 2})
    assert "Page 2 of 3" in response.content.decode()
