"""With a real Celery worker and beat: a due post waiting for approval is never published, however many
dispatcher ticks pass; approving it publishes it, once."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from approvals import services
from social_media.models import Post, PostTarget, PublishAttempt, Status
from social_media.services import posts as post_services
from tests.engine.processes import celery_processes, wait_until
from tests.factories import ConnectedAccountFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_a_due_post_pending_approval_stays_unpublished_until_approved_then_goes_out_once(workspace, editor, user, mastodon_fake):
    remote, token = mastodon_fake.add_account("approvals")
    account = ConnectedAccountFactory(workspace=workspace, platform="mastodon", platform_user_id=remote["id"],
                                      platform_username="approvals", access_token=token, instance_url=mastodon_fake.base_url)
    waiting = post_services.post_create(workspace=workspace, author=editor, content="Waiting for approval", accounts=[account],
                                        scheduled_time=timezone.now() + timedelta(seconds=2))
    assert Post.objects.get(pk=waiting.pk).status == Status.PENDING_APPROVAL
    # A post the owner schedules at the same time: proof that the dispatcher and the worker are running.
    control = post_services.post_create(workspace=workspace, author=user, content="Control", accounts=[account],
                                        scheduled_time=timezone.now() + timedelta(seconds=2))
    assert Post.objects.get(pk=control.pk).status == Status.SCHEDULED

    with celery_processes(concurrency=2):
        wait_until(lambda: PostTarget.objects.filter(post=control, status=Status.POSTED).exists(), timeout=90)
        time.sleep(6)  # three more dispatcher ticks (DISPATCH_INTERVAL_SECONDS=2) with the post long due
        target = PostTarget.objects.get(post=waiting)
        assert target.status == Status.PENDING_APPROVAL and target.dispatched_at is None
        assert [p["text"] for p in mastodon_fake.posts] == ["Control"]

        services.post_approve(post=Post.objects.get(pk=waiting.pk), actor=user, publish_now_if_past=True)
        wait_until(lambda: PostTarget.objects.filter(post=waiting, status=Status.POSTED).exists(), timeout=60)
        time.sleep(3)  # a dispatcher tick after the publish: nothing is sent again

    assert sorted(p["text"] for p in mastodon_fake.posts) == ["Control", "Waiting for approval"]
    assert PublishAttempt.objects.filter(target__post=waiting).count() == 1
