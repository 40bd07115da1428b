"""End to end with real processes: a post with a first comment is published by the worker, and the
comment appears under it on the PDS once, no sooner than its delay."""

from datetime import timedelta

import pytest
from django.utils import timezone

from first_comments.models import FirstCommentDelivery
from social_media.models import PostTarget, Status
from tests.engine.processes import celery_processes, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_a_published_post_gets_its_first_comment_once_after_the_delay(auth_api, connect_bluesky, bluesky_pds):
    account = connect_bluesky(workspace=auth_api.user.personal_workspace)
    with celery_processes(concurrency=4):
        at = (timezone.now() + timedelta(seconds=15)).replace(microsecond=0)
        answer = auth_api.post("/api/v1/posts/", {
            "content": "Post with a first comment", "target_accounts": [account.id], "scheduled_time": at.isoformat(),
            "first_comment": {"content": "Links are in this first comment", "delay_seconds": 4},
        }, format="json")
        assert answer.status_code == 201, answer.content
        target = PostTarget.objects.get(post_id=answer.json()["id"])
        wait_until(lambda: FirstCommentDelivery.objects.filter(target=target, status="posted").exists(), timeout=120)
        target.refresh_from_db()

    assert target.status == Status.POSTED
    delivery = FirstCommentDelivery.objects.get(target=target)
    assert delivery.attempts == 1 and delivery.posted_at >= target.posted_at + timedelta(seconds=4)
    records = bluesky_pds.list_posts(account.platform_user_id)
    replies = [r for r in records if r["value"].get("reply")]
    assert [r["value"]["text"] for r in replies] == ["Links are in this first comment"]
    assert replies[0]["value"]["reply"]["parent"]["uri"] == target.platform_post_id
    detail = auth_api.get(f"/api/v1/posts/{target.post_id}/").json()
    assert detail["first_comment"] == {"content": "Links are in this first comment", "delay_seconds": 4}
    assert detail["targets"][0]["first_comment"]["status"] == "posted"
    assert detail["targets"][0]["first_comment"]["url"].startswith("https://bsky.app/profile/")
