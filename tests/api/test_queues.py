"""Queues API: CRUD with a validated weekly timetable, add-post into the next free slot, reorder."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from social_media.models import PostQueue, PostTarget, QueuedPost, Status
from tests.factories import ConnectedAccountFactory, PostFactory, PostQueueFactory, PostTargetFactory

from .helpers import fields_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/queues/"
EVERY_DAY_0900 = {day: ["09:00"] for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def queue(workspace, account):
    queue = PostQueueFactory(workspace=workspace, timezone="Europe/Berlin", posting_schedule=EVERY_DAY_0900)
    queue.target_accounts.add(account)
    return queue


def draft_of(workspace, account=None):
    post = PostFactory(workspace=workspace)
    if account is not None:
        PostTargetFactory(post=post, account=account)
    return post


def add(api, queue, post):
    return api.post(f"{URL}{queue.pk}/add-post/", {"post_id": post.pk})


def test_it_creates_a_queue_with_a_normalised_timetable(auth_api, workspace, account):
    response = auth_api.post(URL, {
        "name": "Weekdays", "timezone": "Europe/Berlin", "target_accounts": [account.pk],
        "posting_schedule": {"Monday": ["15:00", "09:00", "09:00"], "friday": [], "wednesday": ["23:59"]},
    })
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["posting_schedule"] == {"monday": ["09:00", "15:00"], "wednesday": ["23:59"]}
    assert body["target_accounts"] == [account.pk] and body["upcoming"] == []
    queue = PostQueue.objects.get(pk=body["id"])
    assert queue.workspace == workspace and list(queue.target_accounts.all()) == [account]


@pytest.mark.parametrize("schedule, error_key", [
    ({"funday": ["09:00"]}, "funday"),
    ({"monday": ["9:00"]}, "monday"),
    ({"monday": ["24:00"]}, "monday"),
    ({"monday": ["09:60"]}, "monday"),
    ({"monday": "09:00"}, "monday"),
    ({"monday": [900]}, "monday"),
])
def test_it_rejects_bad_days_and_times(auth_api, schedule, error_key):
    response = auth_api.post(URL, {"name": "Q", "timezone": "UTC", "posting_schedule": schedule})
    assert response.status_code == 400
    assert error_key in fields_of(response)["posting_schedule"]


def test_it_rejects_a_timetable_that_is_not_an_object_and_an_unknown_zone(auth_api):
    response = auth_api.post(URL, {"name": "Q", "timezone": "Mars/Olympus_Mons", "posting_schedule": ["09:00"]})
    assert response.status_code == 400
    assert set(fields_of(response)) == {"timezone", "posting_schedule"}


def test_it_rejects_accounts_of_another_workspace(auth_api):
    foreign = ConnectedAccountFactory()
    response = auth_api.post(URL, {"name": "Q", "timezone": "UTC", "posting_schedule": {}, "target_accounts": [foreign.pk]})
    assert response.status_code == 400
    assert "target_accounts" in fields_of(response)


def test_it_lists_edits_and_deletes_only_the_workspace_queues(auth_api, queue):
    other = PostQueueFactory()
    assert [q["id"] for q in auth_api.get(URL).json()["results"]] == [queue.pk]
    assert auth_api.get(f"{URL}{other.pk}/").status_code == 404
    assert auth_api.patch(f"{URL}{other.pk}/", {"name": "Taken"}).status_code == 404
    assert auth_api.delete(f"{URL}{other.pk}/").status_code == 404
    response = auth_api.patch(f"{URL}{queue.pk}/", {"name": "Renamed", "posting_schedule": {"sunday": ["10:30"]}})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["posting_schedule"]) == ("Renamed", {"sunday": ["10:30"]})
    assert auth_api.delete(f"{URL}{queue.pk}/").status_code == 204
    assert not PostQueue.objects.filter(pk=queue.pk).exists()
    assert PostQueue.objects.filter(pk=other.pk).exists()


def test_it_adds_posts_to_the_next_free_slots_at_0900_in_the_queue_zone(auth_api, workspace, account, queue):
    first, second = draft_of(workspace, account), draft_of(workspace, account)
    one, two = add(auth_api, queue, first), add(auth_api, queue, second)
    assert (one.status_code, two.status_code) == (200, 200), one.json()
    at_one = datetime.fromisoformat(one.json()["scheduled_time"])
    at_two = datetime.fromisoformat(two.json()["scheduled_time"])
    assert one.json()["status"] == "scheduled" and one.json()["queue"] == queue.pk
    for at in (at_one, at_two):
        assert at.astimezone(BERLIN).time().isoformat() == "09:00:00"
    assert timezone.now() < at_one <= timezone.now() + timedelta(days=1)
    assert at_two.astimezone(BERLIN).date() == at_one.astimezone(BERLIN).date() + timedelta(days=1)
    assert list(QueuedPost.objects.filter(queue=queue).values_list("post_id", "position")) == [(first.pk, 1), (second.pk, 2)]
    target = PostTarget.objects.get(post=first)
    assert (target.status, target.next_attempt_at) == (Status.SCHEDULED, at_one)


def test_it_gives_a_post_without_accounts_the_queue_accounts(auth_api, workspace, account, queue):
    inactive = ConnectedAccountFactory(workspace=workspace, is_active=False)
    queue.target_accounts.add(inactive)
    post = draft_of(workspace)
    response = add(auth_api, queue, post)
    assert response.status_code == 200, response.json()
    assert [t["account"] for t in response.json()["targets"]] == [account.pk]


def test_it_refuses_posts_it_cannot_queue(auth_api, workspace, account, queue):
    foreign = PostFactory()
    assert "post_id" in fields_of(add(auth_api, queue, foreign))
    assert "post_id" in fields_of(auth_api.post(f"{URL}{queue.pk}/add-post/", {"post_id": "x"}))
    scheduled = PostFactory(workspace=workspace, status=Status.SCHEDULED, scheduled_time=timezone.now() + timedelta(days=1))
    PostTargetFactory(post=scheduled, account=account)
    assert add(auth_api, queue, scheduled).status_code == 409
    queue.target_accounts.clear()
    assert "post_id" in fields_of(add(auth_api, queue, draft_of(workspace)))
    assert not QueuedPost.objects.exists()


def test_it_refuses_a_paused_queue_and_one_without_times(auth_api, workspace, account, queue):
    PostQueue.objects.filter(pk=queue.pk).update(is_active=False)
    assert add(auth_api, queue, draft_of(workspace, account)).status_code == 409
    PostQueue.objects.filter(pk=queue.pk).update(is_active=True, posting_schedule={})
    response = add(auth_api, queue, draft_of(workspace, account))
    assert response.status_code == 400 and "posting_schedule" in fields_of(response)


def test_it_refuses_to_queue_a_post_that_fails_network_validation(auth_api, workspace, account, queue):
    post = PostFactory(workspace=workspace, content="q" * 501)
    PostTargetFactory(post=post, account=account)
    response = add(auth_api, queue, post)
    assert response.status_code == 400 and str(account.pk) in fields_of(response)["targets"]
    post.refresh_from_db()
    assert post.status == Status.DRAFT and not QueuedPost.objects.exists()


def test_it_reorders_the_queue_posts_over_their_slots(auth_api, workspace, account, queue):
    posts = [draft_of(workspace, account) for _ in range(3)]
    for post in posts:
        assert add(auth_api, queue, post).status_code == 200
    slots = [p.scheduled_time for p in sorted((type(p).objects.get(pk=p.pk) for p in posts), key=lambda p: p.scheduled_time)]
    a, b, c = posts
    response = auth_api.post(f"{URL}{queue.pk}/reorder/", {"post_ids": [c.pk, a.pk, b.pk]})
    assert response.status_code == 200, response.json()
    assert [(e["post"], datetime.fromisoformat(e["scheduled_time"])) for e in response.json()["upcoming"]] == [
        (c.pk, slots[0]), (a.pk, slots[1]), (b.pk, slots[2]),
    ]
    assert list(QueuedPost.objects.filter(queue=queue).order_by("position").values_list("post_id", "position")) == [
        (c.pk, 1), (a.pk, 2), (b.pk, 3),
    ]
    assert PostTarget.objects.get(post=c).next_attempt_at == slots[0]


@pytest.mark.parametrize("pick", [
    lambda a, b, c, stranger: [a.pk, b.pk],
    lambda a, b, c, stranger: [a.pk, b.pk, c.pk, stranger.pk],
    lambda a, b, c, stranger: [a.pk, a.pk, b.pk, c.pk],
    lambda a, b, c, stranger: [a.pk, b.pk, stranger.pk],
])
def test_it_rejects_a_reorder_that_does_not_list_exactly_the_queue_posts(auth_api, workspace, account, queue, pick):
    posts = [draft_of(workspace, account) for _ in range(3)]
    for post in posts:
        add(auth_api, queue, post)
    before = dict(QueuedPost.objects.values_list("post_id", "post__scheduled_time"))
    stranger = draft_of(workspace, account)
    response = auth_api.post(f"{URL}{queue.pk}/reorder/", {"post_ids": pick(*posts, stranger)})
    assert response.status_code == 400
    assert "post_ids" in fields_of(response)
    assert dict(QueuedPost.objects.values_list("post_id", "post__scheduled_time")) == before


def test_it_refuses_to_reorder_a_post_a_worker_holds(auth_api, workspace, account, queue):
    a, b = draft_of(workspace, account), draft_of(workspace, account)
    add(auth_api, queue, a), add(auth_api, queue, b)
    PostTarget.objects.filter(post=b).update(status=Status.PUBLISHING)
    before = dict(QueuedPost.objects.values_list("post_id", "post__scheduled_time"))
    response = auth_api.post(f"{URL}{queue.pk}/reorder/", {"post_ids": [b.pk, a.pk]})
    assert response.status_code == 409
    assert dict(QueuedPost.objects.values_list("post_id", "post__scheduled_time")) == before
