"""The services the admin and the engine call directly: cancel, retry, status summary, deactivate,
and how a cancel and a worker's claim serialise on the row locks."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from config.exceptions import Conflict
from social_media.models import Post, PostTarget, Status
from social_media.services.accounts import DISCONNECTED_MESSAGE, account_deactivate
from social_media.services.posts import post_cancel, post_refresh_status, target_retry
from social_media.services.publishing import targets_claim
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory

from .helpers import in_future


def scheduled_post(workspace, *accounts):
    post = PostFactory(workspace=workspace, status=Status.SCHEDULED, scheduled_time=in_future())
    targets = [PostTargetFactory(post=post, account=account) for account in accounts]
    return post, targets


def worker_claim(target):
    """The engine's own claim (what publish_batch runs), on a target made due and dispatched first,
    as the dispatcher leaves it. Returns the ids claimed."""
    PostTarget.objects.filter(pk=target.pk).update(next_attempt_at=timezone.now(), dispatched_at=timezone.now())
    return targets_claim(target_ids=[target.pk])


@pytest.mark.django_db
class TestPostRefreshStatus:
    @pytest.mark.parametrize("statuses, expected", [
        ([Status.POSTED, Status.POSTED], Status.POSTED),
        ([Status.POSTED, Status.FAILED], Status.PARTIALLY_POSTED),
        ([Status.POSTED, Status.PUBLISHING], Status.PUBLISHING),
        ([Status.FAILED, Status.CANCELLED], Status.FAILED),
        ([Status.UNCONFIRMED, Status.POSTED], Status.UNCONFIRMED),
        ([Status.DELETED, Status.DELETED], Status.DELETED),
        ([Status.DELETED, Status.POSTED], Status.POSTED),  # still live on one network
        ([Status.DELETED, Status.FAILED], Status.DELETED),
        ([Status.DELETED, Status.CANCELLED], Status.DELETED),
        ([Status.DELETING, Status.POSTED], Status.DELETING),
        ([Status.DELETING, Status.DELETED], Status.DELETING),
    ])
    def test_it_summarises_the_targets(self, workspace, account, second_account, statuses, expected):
        post, targets = scheduled_post(workspace, account, second_account)
        for target, status in zip(targets, statuses):
            PostTarget.objects.filter(pk=target.pk).update(status=status)
        assert post_refresh_status(post=post) == expected
        assert Post.objects.get(pk=post.pk).status == expected

    def test_it_records_when_the_last_target_was_posted(self, workspace, account, second_account):
        post, (first, second) = scheduled_post(workspace, account, second_account)
        early, late = timezone.now().replace(microsecond=0), in_future(minutes=1)
        PostTarget.objects.filter(pk=first.pk).update(status=Status.POSTED, posted_at=early)
        PostTarget.objects.filter(pk=second.pk).update(status=Status.POSTED, posted_at=late)
        post_refresh_status(post=post)
        assert Post.objects.get(pk=post.pk).posted_at == late

    def test_it_keeps_the_status_of_a_post_without_targets(self, workspace):
        post = PostFactory(workspace=workspace)
        assert post_refresh_status(post=post) == Status.DRAFT


@pytest.mark.django_db
class TestTargetRetry:
    @pytest.mark.parametrize("status", [Status.FAILED, Status.UNCONFIRMED])
    def test_it_reschedules_a_failed_or_unconfirmed_target_now(self, workspace, account, status):
        post, (target,) = scheduled_post(workspace, account)
        PostTarget.objects.filter(pk=target.pk).update(status=status, error_message="boom", retry_count=5, dispatched_at=timezone.now())
        post_refresh_status(post=post)
        before = timezone.now()
        target_retry(target=target)
        target.refresh_from_db()
        assert (target.status, target.error_message, target.retry_count, target.dispatched_at) == (Status.SCHEDULED, "", 0, None)
        assert before <= target.next_attempt_at <= timezone.now()
        assert Post.objects.get(pk=post.pk).status == Status.SCHEDULED

    @pytest.mark.parametrize("status", [Status.SCHEDULED, Status.PUBLISHING, Status.POSTED, Status.CANCELLED])
    def test_it_refuses_other_statuses(self, workspace, account, status):
        post, (target,) = scheduled_post(workspace, account)
        PostTarget.objects.filter(pk=target.pk).update(status=status)
        with pytest.raises(Conflict):
            target_retry(target=target)
        assert PostTarget.objects.get(pk=target.pk).status == status

    def test_it_refuses_while_the_account_is_disconnected(self, workspace):
        account = ConnectedAccountFactory(workspace=workspace, is_active=False)
        post, (target,) = scheduled_post(workspace, account)
        PostTarget.objects.filter(pk=target.pk).update(status=Status.FAILED)
        with pytest.raises(Conflict):
            target_retry(target=target)


@pytest.mark.django_db
def test_deactivating_an_account_fails_only_its_waiting_targets(workspace, account, second_account):
    post, (mine, theirs) = scheduled_post(workspace, account, second_account)
    draft = PostTargetFactory(post=PostFactory(workspace=workspace), account=account)
    account_deactivate(account=account)
    account.refresh_from_db()
    assert account.is_active is False
    mine.refresh_from_db(), theirs.refresh_from_db(), draft.refresh_from_db()
    assert (mine.status, mine.error_message, mine.next_attempt_at) == (Status.FAILED, DISCONNECTED_MESSAGE, None)
    assert (theirs.status, draft.status) == (Status.SCHEDULED, Status.DRAFT)
    assert Post.objects.get(pk=post.pk).status == Status.SCHEDULED  # still waiting for the other account


@pytest.mark.django_db
def test_the_admin_cancel_is_the_api_cancel(workspace, account):
    post, (target,) = scheduled_post(workspace, account)
    post_cancel(post=post)
    assert post.status == Status.CANCELLED
    assert worker_claim(target) == []  # the worker finds nothing to claim
    with pytest.raises(Conflict):
        post_cancel(post=post)


def run_in_thread(func):
    outcome = {}

    def body():
        try:
            outcome["value"] = func()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=body)
    thread.start()
    return thread, outcome


@pytest.mark.django_db(transaction=True)
def test_a_cancel_waits_for_a_claim_in_progress_and_then_refuses(workspace, account):
    post, (target,) = scheduled_post(workspace, account)
    with transaction.atomic():
        assert worker_claim(target) == [target.pk]  # claimed, not yet committed
        thread, outcome = run_in_thread(lambda: post_cancel(post=Post.objects.get(pk=post.pk)))
        thread.join(0.5)
        assert thread.is_alive()  # blocked on the target's row lock
    thread.join(10)
    assert isinstance(outcome.get("error"), Conflict)
    assert PostTarget.objects.get(pk=target.pk).status == Status.PUBLISHING


@pytest.mark.django_db(transaction=True)
def test_a_claim_waits_for_a_cancel_in_progress_and_then_finds_nothing(workspace, account):
    post, (target,) = scheduled_post(workspace, account)
    with transaction.atomic():
        post_cancel(post=post)  # holds the locks until commit
        thread, outcome = run_in_thread(lambda: worker_claim(target))
        thread.join(0.5)
        assert thread.is_alive()
    thread.join(10)
    assert outcome == {"value": []}
    assert PostTarget.objects.get(pk=target.pk).status == Status.CANCELLED
