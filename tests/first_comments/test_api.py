"""The posts API's `first_comment`: set on create, changed and removed on PATCH, refused per network
in the project's one error shape, and shown on the post and on each target with its delivery."""

import pytest

from first_comments.models import FirstComment, FirstCommentDelivery
from social_media.models import PostTarget, Status
from tests.factories import ConnectedAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(auth_api):
    workspace = auth_api.user.personal_workspace
    return (ConnectedAccountFactory(workspace=workspace, platform="mastodon"),
            ConnectedAccountFactory(workspace=workspace, platform="instagram", platform_settings={}))


def test_a_post_is_created_with_its_first_comment_and_shows_it(auth_api, accounts):
    answer = auth_api.post("/api/v1/posts/", {"content": "Hello", "target_accounts": [accounts[0].id],
                                              "first_comment": {"content": "More below", "delay_seconds": 120}}, format="json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["first_comment"] == {"content": "More below", "delay_seconds": 120}
    assert body["targets"][0]["first_comment"] is None  # no delivery before the target is posted
    assert FirstComment.objects.get(post_id=body["id"]).delay_seconds == 120


def test_a_comment_too_long_for_one_network_is_a_field_error_and_nothing_is_created(auth_api, accounts):
    answer = auth_api.post("/api/v1/posts/", {"content": "Hello", "target_accounts": [a.id for a in accounts],
                                              "first_comment": {"content": "x" * 2201}}, format="json")
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "validation_error"
    problems = error["fields"]["first_comment"]["content"]  # one per network that refuses it, named
    assert any(p.startswith("Instagram @") and "Instagram comments allow 2,200 characters; this one has 2,201." in p for p in problems)
    assert any(p.startswith("Mastodon @") and "this Mastodon instance allows 500" in p for p in problems)
    assert not FirstComment.objects.exists() and not PostTarget.objects.exists()


def test_a_delay_over_a_day_is_refused(auth_api, accounts):
    answer = auth_api.post("/api/v1/posts/", {"content": "Hello", "target_accounts": [accounts[0].id],
                                              "first_comment": {"content": "ok", "delay_seconds": 86_401}}, format="json")
    assert answer.status_code == 400
    assert list(answer.json()["error"]["fields"]["first_comment"]) == ["delay_seconds"]


def test_patch_changes_removes_and_rechecks_it_when_targets_change(auth_api, accounts):
    post_id = auth_api.post("/api/v1/posts/", {"content": "Hello", "target_accounts": [accounts[0].id],
                                               "first_comment": {"content": "#a " * 31}}, format="json").json()["id"]
    answer = auth_api.patch(f"/api/v1/posts/{post_id}/", {"target_accounts": [a.id for a in accounts]}, format="json")
    assert answer.status_code == 400 and "31" in answer.json()["error"]["fields"]["first_comment"]["content"][0]
    answer = auth_api.patch(f"/api/v1/posts/{post_id}/", {"first_comment": {"content": "Fixed", "delay_seconds": 5}}, format="json")
    assert answer.json()["first_comment"] == {"content": "Fixed", "delay_seconds": 5}
    answer = auth_api.patch(f"/api/v1/posts/{post_id}/", {"first_comment": None}, format="json")
    assert answer.status_code == 200 and answer.json()["first_comment"] is None


def test_each_target_shows_its_delivery(auth_api, accounts):
    post_id = auth_api.post("/api/v1/posts/", {"content": "Hello", "target_accounts": [accounts[0].id],
                                               "first_comment": {"content": "Links"}}, format="json").json()["id"]
    target = PostTarget.objects.get(post_id=post_id)
    PostTarget.objects.filter(id=target.id).update(status=Status.POSTED, platform_post_id="1")
    FirstCommentDelivery.objects.create(target=target, content="Links", status="failed", due_at="2030-01-01T00:00:00Z",
                                        error_message="The post is no longer on the network.")
    shown = auth_api.get(f"/api/v1/posts/{post_id}/").json()["targets"][0]["first_comment"]
    assert shown["status"] == "failed" and shown["error_message"] == "The post is no longer on the network."
    assert shown["url"] == "" and shown["due_at"] == "2030-01-01T00:00:00Z"
