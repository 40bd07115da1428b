"""Threads through the posts API (docs/threads.md): `thread` on create/update, per-part field errors,
networks that cannot thread refused when scheduled, detail bodies with the parts and their publications."""

import pytest
from django.utils import timezone

from social_media.models import PostTarget, Status, TargetPartPublication, ThreadPart
from tests.api.helpers import fields_of, in_future, iso
from tests.factories import ConnectedAccountFactory, MediaFileFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/posts/"


def test_it_creates_and_schedules_a_thread_and_shows_its_parts(auth_api, workspace, account):
    media = MediaFileFactory(workspace=workspace)
    response = auth_api.post(URL, {
        "content": "Part one", "target_accounts": [account.pk], "scheduled_time": iso(in_future(hours=2)),
        "thread": [{"content": "Part two"}, {"content": "Part three", "media_ids": [media.pk]}],
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "scheduled"
    assert body["thread"] == [
        {"position": 1, "content": "Part two", "media_ids": []},
        {"position": 2, "content": "Part three", "media_ids": [media.pk]},
    ]
    assert body["targets"][0]["parts"] == []


def test_it_points_a_part_too_long_for_a_network_at_the_part(auth_api, account):
    response = auth_api.post(URL, {
        "content": "Fine", "target_accounts": [account.pk], "scheduled_time": iso(in_future(hours=2)),
        "thread": [{"content": "ok"}, {"content": "ok too"}, {"content": "y" * 501}],
    }, format="json")
    assert response.status_code == 400
    errors = fields_of(response)["thread"]
    assert list(errors) == ["2"]
    assert "500" in errors["2"]["content"][0] and f"@{account.platform_username}" in errors["2"]["content"][0]
    assert not ThreadPart.objects.exists()  # all or nothing


def test_it_refuses_an_empty_part(auth_api, account):
    response = auth_api.post(URL, {"content": "One", "target_accounts": [account.pk], "thread": [{"content": "Two"}, {"content": "  "}]}, format="json")
    assert response.status_code == 400
    assert fields_of(response)["thread"] == {"1": {"content": ["Write something or attach media."]}}


def test_a_network_that_cannot_thread_is_refused_when_the_post_is_scheduled(auth_api, workspace):
    page = ConnectedAccountFactory(workspace=workspace, platform="facebook", platform_settings={})
    response = auth_api.post(URL, {
        "content": "One", "target_accounts": [page.pk], "scheduled_time": iso(in_future(hours=2)), "thread": [{"content": "Two"}],
    }, format="json")
    assert response.status_code == 400
    assert any("cannot publish a thread" in message for message in fields_of(response)["targets"][str(page.pk)])


def test_an_edit_replaces_the_thread_and_an_empty_list_makes_a_single_post(auth_api, account):
    post_id = auth_api.post(URL, {"content": "One", "target_accounts": [account.pk], "thread": [{"content": "Two"}]}, format="json").json()["id"]
    body = auth_api.patch(f"{URL}{post_id}/", {"thread": [{"content": "Deux"}, {"content": "Trois"}]}, format="json").json()
    assert [part["content"] for part in body["thread"]] == ["Deux", "Trois"]
    body = auth_api.patch(f"{URL}{post_id}/", {"thread": []}, format="json").json()
    assert body["thread"] == []


def test_the_detail_lists_each_published_part_of_each_target(auth_api, account):
    post_id = auth_api.post(URL, {"content": "One", "target_accounts": [account.pk], "thread": [{"content": "Two"}]}, format="json").json()["id"]
    target = PostTarget.objects.get(post_id=post_id)
    auth_api.get(f"{URL}{post_id}/")  # a body in the cache: the new rows must change its fingerprint
    for position in (0, 1):
        TargetPartPublication.objects.create(target=target, position=position, platform_post_id=f"10{position}",
                                             platform_post_url=f"https://mastodon.example/@a/10{position}", posted_at=timezone.now())
    parts = auth_api.get(f"{URL}{post_id}/").json()["targets"][0]["parts"]
    assert [(p["position"], p["platform_post_url"]) for p in parts] == [(0, "https://mastodon.example/@a/100"), (1, "https://mastodon.example/@a/101")]
