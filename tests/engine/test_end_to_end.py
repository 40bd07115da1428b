"""End to end with real processes: API -> PostgreSQL -> beat dispatcher -> Redis -> Celery worker -> PDS."""

from datetime import timedelta

import pytest
from django.utils import timezone

from social_media.models import PublishAttempt, PostTarget, Status
from tests.engine.processes import celery_processes, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_a_post_scheduled_through_the_api_appears_on_bluesky_once_and_never_early(auth_api, connect_bluesky, bluesky_pds):
    """How late it is goes to bench/punctuality.py; here: once, not before its time, through every part."""
    account = connect_bluesky(workspace=auth_api.user.personal_workspace)
    with celery_processes(concurrency=4):  # yields once the worker is ready
        at = (timezone.now() + timedelta(seconds=4)).replace(microsecond=0)
        answer = auth_api.post(
            "/api/v1/posts/",
            {"content": "Scheduled end to end", "target_accounts": [account.id], "scheduled_time": at.isoformat()},
        )
        assert answer.status_code == 201, answer.content
        target = PostTarget.objects.get(post_id=answer.json()["id"])
        wait_until(lambda: PostTarget.objects.filter(id=target.id, status=Status.POSTED).exists(), timeout=90)

    records = bluesky_pds.list_posts(account.platform_user_id)
    assert [r["value"]["text"] for r in records] == ["Scheduled end to end"]
    attempt = PublishAttempt.objects.get(target=target)  # one attempt, one verdict
    assert attempt.outcome == "success" and attempt.started_at >= at  # never before its time
    detail = auth_api.get(f"/api/v1/posts/{answer.json()['id']}/").json()
    assert detail["status"] == "posted"
    assert detail["targets"][0]["platform_post_url"].startswith("https://bsky.app/profile/")
