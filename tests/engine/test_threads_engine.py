"""The engine with Threads: no idempotency key, so exactly once rests on the stored container id."""

import pytest

from social_media.models import PostTarget, PublishAttempt, Status
from social_media.services.publishing import publish_batch
from tests.engine.conftest import due_target

pytestmark = [pytest.mark.network, pytest.mark.django_db(transaction=True)]


def _publish_path(account):
    return f"/v1.0/{account.platform_user_id}/threads_publish"


def test_a_5xx_after_threads_published_is_settled_without_a_duplicate(threads_account, threads_fake):
    targets = [due_target(threads_account, f"Batch post {n}") for n in range(3)]
    threads_fake.fail_next("after_store", path=_publish_path(threads_account), method="POST")
    outcomes = publish_batch(target_ids=[t.id for t in targets])
    assert {o.status for o in outcomes.values()} == {Status.POSTED}
    assert sorted(p.text for p in threads_fake.posts) == ["Batch post 0", "Batch post 1", "Batch post 2"]
    for target in PostTarget.objects.filter(id__in=[t.id for t in targets]):
        assert threads_fake.text_of(target.platform_post_id) == target.content
    assert PublishAttempt.objects.filter(outcome=PublishAttempt.Outcome.SUCCESS).count() == 3


def test_a_reply_lost_after_threads_published_is_found_not_resent(threads_account, threads_fake):
    target = due_target(threads_account, "Lost reply")
    threads_fake.fail_next("drop_after_store", path=_publish_path(threads_account), method="POST")
    outcome = publish_batch(target_ids=[target.id])[target.id]
    target.refresh_from_db()
    assert outcome.status == Status.POSTED and len(threads_fake.posts) == 1
    assert target.platform_post_id == threads_fake.posts[0].id


def test_a_5xx_before_threads_published_retries_the_same_container(threads_account, threads_fake, settings):
    settings.PUBLISH_BACKOFF_BASE_SECONDS = 0
    target = due_target(threads_account, "Refused once")
    threads_fake.fail_next("status", path=_publish_path(threads_account), method="POST", status=500)
    first = publish_batch(target_ids=[target.id])[target.id]
    assert first.status == Status.SCHEDULED and threads_fake.posts == []  # not published: reconcile said so
    PostTarget.objects.filter(id=target.id).update(dispatched_at=target.next_attempt_at)
    second = publish_batch(target_ids=[target.id])[target.id]
    assert second.status == Status.POSTED
    assert len(threads_fake.containers) == 1 and len(threads_fake.posts) == 1
