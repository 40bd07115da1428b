"""Posts CRUD: create, list, read, edit, delete."""

from datetime import datetime

import pytest

from social_media.models import Post, PostMedia, PostTarget, Status
from tests.factories import ConnectedAccountFactory, MediaFileFactory, PostFactory, PostTargetFactory

from .helpers import fields_of, in_future, iso

pytestmark = pytest.mark.django_db

URL = "/api/v1/posts/"


def test_it_creates_a_draft_with_targets_custom_content_and_ordered_media(auth_api, workspace, account, second_account):
    first, second = MediaFileFactory(workspace=workspace), MediaFileFactory(workspace=workspace)
    response = auth_api.post(URL, {
        "content": "Hello world",
        "target_accounts": [account.pk, second_account.pk],
        "custom_content": {str(second_account.pk): "Hi Mastodon"},
        "media_ids": [second.pk, first.pk],
    })
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["content"] == "Hello world" and body["scheduled_time"] is None
    assert [(t["account"], t["status"], t["custom_content"]) for t in body["targets"]] == [
        (account.pk, "draft", ""), (second_account.pk, "draft", "Hi Mastodon"),
    ]
    assert set(body["targets"][0]) >= {
        "id", "account", "status", "platform_post_id", "platform_post_url", "error_message", "retry_count",
        "last_attempt_at", "posted_at",
    }
    assert [(m["id"], m["order"]) for m in body["media"]] == [(second.pk, 0), (first.pk, 1)]
    post = Post.objects.get(pk=body["id"])
    assert post.workspace == workspace and post.author == auth_api.user
    assert list(PostMedia.objects.filter(post=post).values_list("media_id", "order")) == [(second.pk, 0), (first.pk, 1)]
    assert PostTarget.objects.get(post=post, account=second_account).custom_content == "Hi Mastodon"


def test_it_creates_and_schedules_at_once_when_given_a_time(auth_api, account):
    at = in_future(hours=3)
    response = auth_api.post(URL, {"content": "Later", "target_accounts": [account.pk], "scheduled_time": iso(at)})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "scheduled"
    assert datetime.fromisoformat(body["scheduled_time"]) == at
    target = PostTarget.objects.get(post_id=body["id"])
    assert (target.status, target.next_attempt_at, target.dispatched_at) == (Status.SCHEDULED, at, None)


def test_it_requires_content_or_media(auth_api, account):
    response = auth_api.post(URL, {"content": "", "target_accounts": [account.pk]})
    assert response.status_code == 400
    assert "content" in fields_of(response)
    assert not Post.objects.exists()


def test_it_rejects_content_over_5000_characters(auth_api, account):
    response = auth_api.post(URL, {"content": "x" * 5001, "target_accounts": [account.pk]})
    assert response.status_code == 400
    assert "content" in fields_of(response)


def test_it_rejects_custom_content_for_an_account_that_is_not_a_target(auth_api, account, second_account):
    response = auth_api.post(URL, {"content": "Hi", "target_accounts": [account.pk], "custom_content": {str(second_account.pk): "x"}})
    assert response.status_code == 400
    assert str(second_account.pk) in fields_of(response)["custom_content"]
    assert not Post.objects.exists()


def test_it_rejects_media_of_another_workspace_and_repeated_media(auth_api, workspace, account):
    foreign = MediaFileFactory()
    mine = MediaFileFactory(workspace=workspace)
    response = auth_api.post(URL, {"content": "Hi", "target_accounts": [account.pk], "media_ids": [foreign.pk]})
    assert response.status_code == 400 and "media_ids" in fields_of(response)
    response = auth_api.post(URL, {"content": "Hi", "target_accounts": [account.pk], "media_ids": [mine.pk, mine.pk]})
    assert response.status_code == 400 and "media_ids" in fields_of(response)


def test_it_rejects_a_malformed_body_with_field_errors(auth_api):
    response = auth_api.post(URL, {"content": 5, "target_accounts": "nope", "custom_content": [], "media_ids": ["x"]})
    assert response.status_code == 400
    assert set(fields_of(response)) >= {"target_accounts", "custom_content", "media_ids"}


def test_it_lists_only_the_workspace_posts_newest_first(auth_api, workspace):
    older, newer = PostFactory(workspace=workspace), PostFactory(workspace=workspace)
    PostFactory()  # another workspace
    response = auth_api.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [p["id"] for p in body["results"]] == [newer.pk, older.pk]


def test_it_filters_by_status_platform_account_time_and_text(auth_api, workspace, account):
    x_account = ConnectedAccountFactory(workspace=workspace, platform="x")
    soon = PostFactory(workspace=workspace, content="Launch day", status=Status.SCHEDULED, scheduled_time=in_future(hours=1))
    PostTargetFactory(post=soon, account=account)
    later = PostFactory(workspace=workspace, content="Follow-up", status=Status.SCHEDULED, scheduled_time=in_future(days=5))
    PostTargetFactory(post=later, account=x_account)
    draft = PostFactory(workspace=workspace, content="launch idea")
    PostTargetFactory(post=draft, account=account)

    def ids(**params):
        response = auth_api.get(URL, params)
        assert response.status_code == 200, response.json()
        return {p["id"] for p in response.json()["results"]}

    assert ids(status="scheduled") == {soon.pk, later.pk}
    assert ids(status=["draft", "scheduled"]) == {soon.pk, later.pk, draft.pk}
    assert ids(platform="x") == {later.pk}
    assert ids(account=account.pk) == {soon.pk, draft.pk}
    assert ids(scheduled_after=iso(in_future(days=1))) == {later.pk}
    assert ids(scheduled_before=iso(in_future(days=1))) == {soon.pk}
    assert ids(search="launch") == {soon.pk, draft.pk}
    ordered = auth_api.get(URL, {"ordering": "scheduled_time", "status": "scheduled"}).json()["results"]
    assert [p["id"] for p in ordered] == [soon.pk, later.pk]


def test_it_answers_400_to_invalid_filter_values(auth_api):
    response = auth_api.get(URL, {"status": "sleeping", "platform": "myspace", "scheduled_after": "soon", "account": "x"})
    assert response.status_code == 400
    assert set(fields_of(response)) == {"status", "platform", "scheduled_after", "account"}


def test_it_reads_one_post(auth_api, workspace, account):
    post = PostFactory(workspace=workspace)
    target = PostTargetFactory(post=post, account=account)
    response = auth_api.get(f"{URL}{post.pk}/")
    assert response.status_code == 200
    assert response.json()["targets"][0]["id"] == target.pk


def test_it_answers_404_for_a_post_of_another_workspace(auth_api):
    other = PostFactory()
    for response in (
        auth_api.get(f"{URL}{other.pk}/"),
        auth_api.patch(f"{URL}{other.pk}/", {"content": "mine now"}),
        auth_api.delete(f"{URL}{other.pk}/"),
        auth_api.post(f"{URL}{other.pk}/schedule/", {"scheduled_time": iso(in_future())}),
        auth_api.post(f"{URL}{other.pk}/cancel/"),
        auth_api.get(f"{URL}{other.pk}/analytics/"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    other.refresh_from_db()
    assert other.content != "mine now"


def test_it_answers_404_for_ids_that_name_no_row(auth_api):
    for pk in ("abc", "99999999999999999999999"):
        assert auth_api.get(f"{URL}{pk}/").status_code == 404


def test_it_edits_content_targets_custom_content_and_media(auth_api, workspace, account, second_account):
    post = PostFactory(workspace=workspace, content="Before")
    PostTargetFactory(post=post, account=account)
    media = MediaFileFactory(workspace=workspace)
    response = auth_api.patch(f"{URL}{post.pk}/", {
        "content": "After",
        "target_accounts": [second_account.pk],
        "custom_content": {str(second_account.pk): "Custom"},
        "media_ids": [media.pk],
    })
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["content"] == "After"
    assert [(t["account"], t["custom_content"]) for t in body["targets"]] == [(second_account.pk, "Custom")]
    assert [m["id"] for m in body["media"]] == [media.pk]
    assert not PostTarget.objects.filter(post=post, account=account).exists()


def test_it_revalidates_an_edit_of_a_scheduled_post(auth_api, workspace, account):
    at = in_future()
    post = PostFactory(workspace=workspace, status=Status.SCHEDULED, scheduled_time=at)
    PostTargetFactory(post=post, account=account)
    response = auth_api.patch(f"{URL}{post.pk}/", {"content": "y" * 501})
    assert response.status_code == 400
    assert str(account.pk) in fields_of(response)["targets"]
    post.refresh_from_db()
    assert post.content.startswith("Post number")


def test_it_unschedules_a_post_with_a_null_time(auth_api, workspace, account):
    post = PostFactory(workspace=workspace, status=Status.SCHEDULED, scheduled_time=in_future())
    target = PostTargetFactory(post=post, account=account)
    response = auth_api.patch(f"{URL}{post.pk}/", {"scheduled_time": None}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "draft" and response.json()["scheduled_time"] is None
    target.refresh_from_db()
    assert (target.status, target.next_attempt_at) == (Status.DRAFT, None)


def test_it_deletes_a_draft(auth_api, workspace, account):
    post = PostFactory(workspace=workspace)
    PostTargetFactory(post=post, account=account)
    assert auth_api.delete(f"{URL}{post.pk}/").status_code == 204
    assert not Post.objects.filter(pk=post.pk).exists()


def test_it_does_not_offer_put(auth_api, workspace):
    post = PostFactory(workspace=workspace)
    assert auth_api.put(f"{URL}{post.pk}/", {"content": "x"}).status_code == 405
