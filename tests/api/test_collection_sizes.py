"""Collections are measured before any per-item work (config/sizes.py): the huge inputs of issue 6
answer a 400 with a small body, and no response lists more than MAX_ITEM_ERRORS item errors."""

import json

import pytest

from config.sizes import MAX_ITEM_ERRORS
from social_media.services.queues import MAX_SLOTS_PER_DAY
from tests.api.helpers import fields_of
from tests.factories import PostFactory, PostQueueFactory, PostTargetFactory

pytestmark = pytest.mark.django_db

SMALL_BODY = 2048  # bytes: an error about a huge collection is a sentence, not a copy of it


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def small_error(response, field):
    assert response.status_code == 400, response.content[:500]
    assert len(response.content) < SMALL_BODY, len(response.content)
    return fields_of(response)[field]


@pytest.fixture
def queue(workspace):
    return PostQueueFactory(workspace=workspace)


def test_900000_unknown_target_accounts_are_refused_by_their_count(auth_api):
    errors = small_error(post_json(auth_api, "/api/v1/posts/", {"content": "x", "target_accounts": list(range(1, 900_001))}), "target_accounts")
    assert errors == ["At most 100 items; got 900,000."]


def test_900000_media_ids_are_refused_by_their_count(auth_api):
    errors = small_error(post_json(auth_api, "/api/v1/posts/", {"content": "x", "media_ids": list(range(1, 900_001))}), "media_ids")
    assert errors == ["At most 20 items; got 900,000."]


def test_400000_custom_content_variants_are_refused_by_their_count(auth_api, account):
    variants = {str(i): "text" for i in range(1, 400_001)}
    body = {"content": "x", "target_accounts": [account.pk], "custom_content": variants}
    assert small_error(post_json(auth_api, "/api/v1/posts/", body), "custom_content") == ["At most 100 entries; got 400,000."]


# (A queue body over 64 KB is refused by its size before it is parsed: tests/api/test_queue_body_size.py.)
def test_a_posting_schedule_with_4000_keys_is_refused_by_its_count(auth_api):
    schedule = {str(i): [] for i in range(4_000)}
    body = {"name": "Q", "timezone": "UTC", "posting_schedule": schedule}
    errors = small_error(post_json(auth_api, "/api/v1/queues/", body), "posting_schedule")
    assert errors == ["At most 7 days (one entry per day of the week); got 4,000."]


def test_a_day_with_too_many_slots_is_refused_by_its_count(auth_api):
    body = {"name": "Q", "timezone": "UTC", "posting_schedule": {"monday": ["09:00"] * 6_000}}
    errors = small_error(post_json(auth_api, "/api/v1/queues/", body), "posting_schedule")
    assert errors == {"monday": [f"At most {MAX_SLOTS_PER_DAY} times a day; got 6,000."]}


def test_a_reorder_list_is_refused_by_its_count(auth_api, queue):
    errors = small_error(post_json(auth_api, f"/api/v1/queues/{queue.pk}/reorder/", {"post_ids": list(range(1, 6_001))}), "post_ids")
    assert errors == ["At most 1000 items; got 6,000."]


def test_item_errors_are_capped_with_a_count(auth_api):
    errors = small_error(post_json(auth_api, "/api/v1/posts/", {"content": "x", "target_accounts": ["x"] * 100}), "target_accounts")
    assert len(errors) == MAX_ITEM_ERRORS + 1
    assert errors["more"] == ["80 more items have errors."]


def test_unknown_ids_are_listed_up_to_the_cap(auth_api):
    errors = small_error(post_json(auth_api, "/api/v1/posts/", {"content": "x", "target_accounts": list(range(10**6, 10**6 + 100))}), "target_accounts")
    listed = ", ".join(str(i) for i in range(10**6, 10**6 + MAX_ITEM_ERRORS))
    assert errors == [f"No active connected account with id {listed} and 80 more in this workspace."]


def test_unknown_custom_content_keys_are_capped(auth_api, workspace, account):
    post = PostFactory(workspace=workspace)
    PostTargetFactory(post=post, account=account)
    variants = {str(10**6 + i): "text" for i in range(100)}
    response = auth_api.patch(f"/api/v1/posts/{post.pk}/", json.dumps({"custom_content": variants}), content_type="application/json")
    errors = small_error(response, "custom_content")
    assert len(errors) == MAX_ITEM_ERRORS + 1
    assert errors["more"] == ["80 more items have errors."]


def test_collections_within_their_limits_are_accepted(auth_api, account):
    body = {"content": "x", "target_accounts": [account.pk], "custom_content": {str(account.pk): "hi"}}
    response = post_json(auth_api, "/api/v1/posts/", body)
    assert response.status_code == 201, response.content
    assert response.json()["targets"][0]["custom_content"] == "hi"
