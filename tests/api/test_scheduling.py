"""Scheduling, cancelling and the rules that guard them: times, accounts, per-network validation,
the daily quota, and posts a worker already holds."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from social_media.models import Post, PostTarget, Status
from social_media.services.validation import media_items_for
from tests.factories import ConnectedAccountFactory, MediaFileFactory, PostFactory, PostTargetFactory

from .helpers import fields_of, in_future, iso

pytestmark = pytest.mark.django_db

URL = "/api/v1/posts/"


@pytest.fixture
def draft(workspace, account):
    post = PostFactory(workspace=workspace)
    PostTargetFactory(post=post, account=account)
    return post


def schedule(api, post, when):
    return api.post(f"{URL}{post.pk}/schedule/", {"scheduled_time": when})


def test_it_schedules_every_target_for_the_time(auth_api, draft):
    target = draft.targets.get()
    PostTarget.objects.filter(pk=target.pk).update(dispatched_at=in_future(), claimed_at=in_future())
    at = in_future(hours=2)
    response = schedule(auth_api, draft, iso(at))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "scheduled"
    assert datetime.fromisoformat(response.json()["scheduled_time"]) == at
    target.refresh_from_db()
    assert (target.status, target.next_attempt_at, target.dispatched_at, target.claimed_at) == (Status.SCHEDULED, at, None, None)


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "America/New_York", "UTC"])
def test_it_accepts_any_explicit_offset(auth_api, draft, zone):
    at = in_future(days=2)
    text = at.astimezone(ZoneInfo(zone)).isoformat().replace("+00:00", "Z")
    response = schedule(auth_api, draft, text)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.scheduled_time == at


@pytest.mark.parametrize("when", ["2031-06-01T09:00:00", "2031-06-01 09:00", "2031-06-01"])
def test_it_rejects_a_time_without_offset(auth_api, draft, when):
    response = schedule(auth_api, draft, when)
    assert response.status_code == 400
    assert "offset" in fields_of(response)["scheduled_time"][0]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


@pytest.mark.parametrize("when", ["2001-01-01T09:00:00+00:00", "not a time", "2031-13-01T09:00:00Z", ""])
def test_it_rejects_a_past_or_malformed_time(auth_api, draft, when):
    response = schedule(auth_api, draft, when)
    assert response.status_code == 400
    assert "scheduled_time" in fields_of(response)


def test_it_rejects_a_naive_or_past_time_on_create_too(auth_api, account):
    for when in ("2031-06-01T09:00:00", "2001-01-01T09:00:00Z"):
        response = auth_api.post(URL, {"content": "x", "target_accounts": [account.pk], "scheduled_time": when})
        assert response.status_code == 400 and "scheduled_time" in fields_of(response)
    assert not Post.objects.exists()


def test_it_rejects_unknown_inactive_and_other_workspace_accounts(auth_api, workspace):
    foreign = ConnectedAccountFactory()
    inactive = ConnectedAccountFactory(workspace=workspace, is_active=False)
    for ids in ([foreign.pk], [inactive.pk], [987654], ["x"]):
        response = auth_api.post(URL, {"content": "x", "target_accounts": ids, "scheduled_time": iso(in_future())})
        assert response.status_code == 400, ids
        assert "target_accounts" in fields_of(response)
    assert not Post.objects.exists()


def test_it_refuses_to_schedule_a_post_without_accounts(auth_api, workspace):
    post = PostFactory(workspace=workspace)
    response = schedule(auth_api, post, iso(in_future()))
    assert response.status_code == 400
    assert "target_accounts" in fields_of(response)


def test_it_reports_network_validation_errors_per_target(auth_api, account, second_account):
    # account allows 500 characters, second_account 100 (Mastodon limits read from the instance)
    response = auth_api.post(URL, {
        "content": "z" * 150, "target_accounts": [account.pk, second_account.pk], "scheduled_time": iso(in_future()),
    })
    assert response.status_code == 400
    errors = fields_of(response)["targets"]
    assert list(errors) == [str(second_account.pk)]
    assert "100" in errors[str(second_account.pk)][0]
    assert not Post.objects.exists()


def test_it_validates_each_target_with_its_custom_content(auth_api, account, second_account):
    response = auth_api.post(URL, {
        "content": "z" * 150, "target_accounts": [account.pk, second_account.pk],
        "custom_content": {str(second_account.pk): "Short enough"}, "scheduled_time": iso(in_future()),
    })
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "scheduled"


def test_it_counts_the_daily_quota_and_answers_429(auth_api, account, settings):
    settings.PLAN_LIMITS = {**settings.PLAN_LIMITS, "basic": {"api_calls_per_hour": 100, "scheduled_posts_per_day": 2}}
    created = [
        auth_api.post(URL, {"content": f"Post {i}", "target_accounts": [account.pk], "scheduled_time": iso(in_future(hours=i + 1))})
        for i in range(3)
    ]
    assert [r.status_code for r in created] == [201, 201, 429]
    assert created[2].json()["error"]["code"] == "throttled" and created[2].json()["error"]["retry_after"] > 0
    assert Post.objects.count() == 2
    # rescheduling an already scheduled post does not count again
    post = Post.objects.order_by("id").first()
    assert schedule(auth_api, post, iso(in_future(days=3))).status_code == 200


def test_it_cancels_a_scheduled_post(auth_api, workspace, account, second_account):
    post = PostFactory(workspace=workspace, status=Status.SCHEDULED, scheduled_time=in_future())
    PostTargetFactory(post=post, account=account)
    PostTargetFactory(post=post, account=second_account, dispatched_at=in_future())  # handed to a worker, not claimed
    response = auth_api.post(f"{URL}{post.pk}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert set(PostTarget.objects.filter(post=post).values_list("status", flat=True)) == {Status.CANCELLED}
    assert not PostTarget.objects.filter(post=post, next_attempt_at__isnull=False).exists()


def test_it_refuses_to_cancel_a_draft(auth_api, draft):
    response = auth_api.post(f"{URL}{draft.pk}/cancel/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


@pytest.mark.parametrize("worker_status", [Status.PUBLISHING, Status.POSTED, Status.FAILED, Status.UNCONFIRMED])
def test_it_answers_409_once_a_target_is_claimed_or_done(auth_api, workspace, account, second_account, worker_status):
    at = in_future()
    post = PostFactory(workspace=workspace, status=Status.SCHEDULED, scheduled_time=at, content="Original")
    PostTargetFactory(post=post, account=account)
    claimed = PostTargetFactory(post=post, account=second_account)
    PostTarget.objects.filter(pk=claimed.pk).update(status=worker_status)  # what the worker's claim does
    answers = [
        auth_api.patch(f"{URL}{post.pk}/", {"content": "Changed"}),
        schedule(auth_api, post, iso(in_future(days=2))),
        auth_api.post(f"{URL}{post.pk}/cancel/"),
    ]
    if worker_status != Status.FAILED:  # nothing of a failed target is live: such a post may be deleted
        answers.append(auth_api.delete(f"{URL}{post.pk}/"))
    assert {r.status_code for r in answers} == {409}
    assert all(r.json()["error"]["code"] == "conflict" for r in answers)
    post.refresh_from_db()
    assert (post.content, post.scheduled_time) == ("Original", at)
    assert PostTarget.objects.get(pk=claimed.pk).status == worker_status
    assert PostTarget.objects.get(post=post, account=account).status == Status.SCHEDULED


def test_it_validates_each_network_with_its_own_rules(auth_api, workspace, account):
    bluesky = ConnectedAccountFactory(workspace=workspace, platform="bluesky", platform_settings={})
    response = auth_api.post(URL, {"content": "é" * 301, "target_accounts": [account.pk, bluesky.pk], "scheduled_time": iso(in_future())})
    assert response.status_code == 400
    assert list(fields_of(response)["targets"]) == [str(bluesky.pk)]  # 301 graphemes: too long for Bluesky only


def test_it_validates_the_attachments_in_order(auth_api, workspace, account):
    media = [MediaFileFactory(workspace=workspace) for _ in range(5)]
    response = auth_api.post(URL, {
        "content": "Album", "target_accounts": [account.pk], "media_ids": [m.pk for m in media], "scheduled_time": iso(in_future()),
    })
    assert response.status_code == 400
    assert "4" in fields_of(response)["targets"][str(account.pk)][0]  # this instance allows 4 attachments


def test_media_items_follow_the_post_order_and_open_the_stored_bytes(workspace):
    post = PostFactory(workspace=workspace)
    first, second = MediaFileFactory(workspace=workspace, alt_text="first"), MediaFileFactory(workspace=workspace, alt_text="second")
    post.post_media.create(media=second, order=0)
    post.post_media.create(media=first, order=1)
    items = media_items_for(post)
    assert [(i.media_id, i.alt_text, i.mime_type, i.width) for i in items] == [(second.pk, "second", "image/png", 64), (first.pk, "first", "image/png", 64)]
    with items[0].open() as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
