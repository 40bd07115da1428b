"""The filter backend (config/filters.py) skips django-filter only when no filter is asked for: every
filter, and every refusal of a bad value, works as before."""

import pytest

from social_media.models import Status
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/posts/"


@pytest.fixture
def posts(workspace):
    draft = PostFactory(workspace=workspace, status=Status.DRAFT)
    scheduled = PostFactory(workspace=workspace, status=Status.SCHEDULED)
    PostTargetFactory(post=scheduled, account=ConnectedAccountFactory(workspace=workspace, platform="bluesky"))
    return draft, scheduled


def ids(response):
    assert response.status_code == 200, response.json()
    return {post["id"] for post in response.json()["results"]}


def test_without_filters_every_post_is_listed_whatever_else_the_query_says(auth_api, posts):
    assert ids(auth_api.get(POSTS)) == {p.pk for p in posts}
    assert ids(auth_api.get(POSTS, {"page_size": 5, "ordering": "created_at", "unknown": "x"})) == {p.pk for p in posts}


def test_each_filter_still_applies(auth_api, posts):
    draft, scheduled = posts
    assert ids(auth_api.get(POSTS, {"status": "draft"})) == {draft.pk}
    assert ids(auth_api.get(POSTS, {"platform": "bluesky"})) == {scheduled.pk}
    assert ids(auth_api.get(POSTS, {"scheduled_after": "2000-01-01T00:00:00Z"})) == {p.pk for p in posts if p.scheduled_time}


def test_a_bad_filter_value_is_still_a_400_with_its_field(auth_api, posts):
    response = auth_api.get(POSTS, {"status": "bogus", "page_size": 5})
    assert response.status_code == 400 and "status" in response.json()["error"]["fields"]
