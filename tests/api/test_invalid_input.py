"""Junk input is a 400 with field errors in the project's error shape, never a 500."""

import pytest

from tests.factories import PostFactory, PostQueueFactory, PostTargetFactory

pytestmark = pytest.mark.django_db

HUGE = 2**70


@pytest.fixture
def post(workspace, account):
    post = PostFactory(workspace=workspace)
    PostTargetFactory(post=post, account=account)
    return post


@pytest.fixture
def queue(workspace):
    return PostQueueFactory(workspace=workspace)


@pytest.mark.parametrize("body", [
    [],
    "text",
    {"content": None},
    {"content": "x", "target_accounts": [HUGE]},
    {"content": "x", "target_accounts": [0, -1]},
    {"content": "x", "target_accounts": {"a": 1}},
    {"content": "x", "custom_content": {"1": 5}},
    {"content": "x", "custom_content": "all"},
    {"content": "x", "media_ids": [HUGE]},
    {"content": "x", "scheduled_time": 1234567890},
    {"content": "x", "scheduled_time": ["2031-01-01T00:00:00Z"]},
    {"content": "x", "scheduled_time": "9999-12-31T23:59:59-23:59"},
])
def test_it_answers_400_to_junk_posts(auth_api, body):
    response = auth_api.post("/api/v1/posts/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("body", [
    {"scheduled_time": None},
    {"scheduled_time": {"at": "now"}},
    {},
])
def test_it_answers_400_to_a_junk_schedule(auth_api, post, body):
    response = auth_api.post(f"/api/v1/posts/{post.pk}/schedule/", body, format="json")
    assert response.status_code == 400
    assert "scheduled_time" in response.json()["error"]["fields"]


@pytest.mark.parametrize("body", [
    {"name": "", "timezone": "UTC", "posting_schedule": {}},
    {"name": "Q", "timezone": "", "posting_schedule": {}},
    {"name": "Q", "timezone": 5, "posting_schedule": {}},
    {"name": "Q", "timezone": "UTC", "posting_schedule": None},
    {"name": "Q", "timezone": "UTC", "posting_schedule": {"monday": [None]}},
    {"name": "Q", "timezone": "UTC", "posting_schedule": {"monday": ["09:00\n"]}},
    {"name": "Q", "timezone": "../../etc/passwd", "posting_schedule": {}},
    {"name": "Q", "timezone": "UTC", "posting_schedule": {}, "target_accounts": [HUGE]},
])
def test_it_answers_400_to_junk_queues(auth_api, body):
    response = auth_api.post("/api/v1/queues/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("path, body", [
    ("add-post", {}),
    ("add-post", {"post_id": HUGE}),
    ("add-post", {"post_id": [1]}),
    ("reorder", {}),
    ("reorder", {"post_ids": "1,2"}),
    ("reorder", {"post_ids": [HUGE]}),
])
def test_it_answers_400_to_junk_queue_actions(auth_api, queue, path, body):
    response = auth_api.post(f"/api/v1/queues/{queue.pk}/{path}/", body, format="json")
    assert response.status_code == 400, response.content


def test_it_answers_400_to_junk_list_parameters(auth_api):
    response = auth_api.get("/api/v1/posts/", {"account": HUGE, "scheduled_before": "2031-02-30T00:00:00Z"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"account", "scheduled_before"}
    assert auth_api.get("/api/v1/posts/", {"page": 999}).status_code == 404
    assert auth_api.get("/api/v1/posts/", {"ordering": "password"}).status_code == 200
