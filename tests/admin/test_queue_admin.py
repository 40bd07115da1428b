"""Queues edited in the admin go through queue_save, as in the API and the web app: a bad time zone,
timetable or another workspace's account is refused next to its field and nothing is saved."""

import pytest

from social_media.models import PostQueue
from tests.factories import ConnectedAccountFactory, PostQueueFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/social_media/postqueue/add/"
NO_ENTRIES = {"entries-TOTAL_FORMS": 0, "entries-INITIAL_FORMS": 0}


def queue_form(workspace, **overrides):
    return {"workspace": workspace.pk, "name": "Weekdays", "description": "", "posting_schedule": '{"monday": ["09:00"]}',
            "timezone": "Europe/Berlin", "is_active": "on", **NO_ENTRIES, **overrides}


def test_staff_create_a_queue_with_a_clean_timetable(admin_client, workspace):
    account = ConnectedAccountFactory(workspace=workspace)
    response = admin_client.post(ADD, queue_form(workspace, target_accounts=str(account.pk), posting_schedule='{"Monday": ["15:00", "09:00"]}'))
    assert response.status_code == 302
    queue = PostQueue.objects.get()
    assert queue.posting_schedule == {"monday": ["09:00", "15:00"]} and list(queue.target_accounts.all()) == [account]


def test_a_bad_time_zone_timetable_or_foreign_account_is_refused_next_to_it(admin_client, workspace):
    foreign = ConnectedAccountFactory(workspace=WorkspaceFactory())
    response = admin_client.post(ADD, queue_form(workspace, timezone="Not/AZone", posting_schedule='{"monday": 5}', target_accounts=str(foreign.pk)))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"timezone", "posting_schedule", "target_accounts"}
    assert "not an IANA time zone name" in errors["timezone"][0]
    assert f"No active connected account with id {foreign.pk} in this workspace." in errors["target_accounts"][0]
    assert not PostQueue.objects.exists()


def test_editing_a_queue_validates_it_too(admin_client, workspace):
    queue = PostQueueFactory(workspace=workspace)
    response = admin_client.post(f"/admin/social_media/postqueue/{queue.pk}/change/", queue_form(workspace, posting_schedule='{"monday": ["25:00"]}'))
    assert response.status_code == 200 and "posting_schedule" in response.context["adminform"].form.errors
    queue.refresh_from_db()
    assert queue.posting_schedule == {"monday": ["09:00"], "wednesday": ["09:00", "15:00"]}
