"""List endpoints cost a constant number of queries whatever the page holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.models import PostAnalytics
from social_media.models import QueuedPost, Status
from tests.factories import ConnectedAccountFactory, MediaFileFactory, PostFactory, PostQueueFactory, PostTargetFactory

from .helpers import in_future

pytestmark = pytest.mark.django_db


def make_posts(workspace, count):
    accounts = [ConnectedAccountFactory(workspace=workspace, platform=p) for p in ("mastodon", "x", "bluesky")]
    queue = PostQueueFactory(workspace=workspace)
    for i in range(count):
        post = PostFactory(workspace=workspace, status=Status.SCHEDULED, scheduled_time=in_future(hours=i + 1))
        for account in accounts:
            PostTargetFactory(post=post, account=account)
        for order in range(2):
            post.post_media.create(media=MediaFileFactory(workspace=workspace), order=order)
        QueuedPost.objects.create(queue=queue, post=post, position=i + 1)
        queue.target_accounts.set(accounts)


def queries_for(api, url):
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200
    return len(captured), response.json()


@pytest.mark.parametrize("url", ["/api/v1/posts/", "/api/v1/queues/", "/api/v1/accounts/"])
def test_it_lists_one_or_twenty_posts_with_the_same_number_of_queries(auth_api, workspace, url, django_assert_num_queries):
    make_posts(workspace, 1)
    few, body = queries_for(auth_api, url)
    assert body["count"] >= 1
    make_posts(workspace, 19)
    # Posts: the page's bodies are held between requests (social_media/api/body_cache.py). A page the
    # cache holds none of, or all of, costs the same queries; one it holds part of reads the held
    # fingerprints, then builds the rest: one query more, whatever the page size.
    with django_assert_num_queries(few + 1 if url == "/api/v1/posts/" else few):
        response = auth_api.get(url)
    assert response.status_code == 200 and response.json()["count"] >= 1
    with django_assert_num_queries(few):
        again = auth_api.get(url)
    assert again.json() == response.json()
    if url == "/api/v1/posts/":
        results = response.json()["results"]
        assert len(results) == 20 and all(len(p["targets"]) == 3 and len(p["media"]) == 2 for p in results)


def test_it_reports_each_target_analytics_and_their_totals(auth_api, workspace, account, second_account):
    post = PostFactory(workspace=workspace, status=Status.POSTED)
    measured = PostTargetFactory(post=post, account=account, platform_post_url="https://mastodon.example/@a/1")
    PostTargetFactory(post=post, account=second_account)
    PostAnalytics.objects.create(target=measured, likes=5, reposts=2, replies=1)
    response = auth_api.get(f"/api/v1/posts/{post.pk}/analytics/")
    assert response.status_code == 200
    body = response.json()
    assert body["post"]["id"] == post.pk
    assert (body["totals"]["likes"], body["totals"]["reposts"], body["totals"]["replies"]) == (5, 2, 1)
    by_target = {t["id"]: t for t in body["targets"]}
    assert by_target[measured.pk]["metrics"]["likes"] == 5
    assert len(by_target) == 2 and [t["metrics"] for t in body["targets"] if t["id"] != measured.pk] == [None]
