"""The approval workflow's services: what editors' scheduling does under the policy, approving,
rejecting, edits after approval, the history and review links."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from approvals import services
from approvals.models import ApprovalEvent, ReviewLink
from config.exceptions import Conflict
from social_media.models import Post, PostTarget, Status
from social_media.services import posts as post_services
from social_media.services.publishing import dispatch_due
from social_media.services.queues import queue_add_post
from tests.factories import PostQueueFactory

from .conftest import in_future

pytestmark = pytest.mark.django_db
Kind = ApprovalEvent.Kind


def kinds(post):
    return [e.kind for e in ApprovalEvent.objects.filter(post=post).order_by("id")]


def draft(workspace, account, author, content="Needs a look"):
    return post_services.post_create(workspace=workspace, author=author, content=content, accounts=[account])


def statuses(post):
    post.refresh_from_db()
    return post.status, sorted(set(PostTarget.objects.filter(post=post).values_list("status", flat=True)))


def test_an_editors_schedule_submits_the_post_keeping_its_time(workspace, account, editor):
    at = in_future()
    post = draft(workspace, account, editor)
    post_services.post_schedule(post=post, at=at, actor=editor)
    assert statuses(post) == (Status.PENDING_APPROVAL, [Status.PENDING_APPROVAL])
    assert post.scheduled_time == at
    event = ApprovalEvent.objects.get(post=post)
    assert (event.kind, event.actor, event.scheduled_time) == (Kind.SUBMITTED, editor, at)


def test_an_owners_schedule_is_not_submitted(workspace, account, user):
    post = draft(workspace, account, user)
    post_services.post_schedule(post=post, at=in_future(), actor=user)
    assert statuses(post) == (Status.SCHEDULED, [Status.SCHEDULED])
    assert kinds(post) == []


def test_without_the_setting_an_editor_schedules_directly(workspace, account, editor):
    workspace.requires_approval = False
    workspace.save()
    post = draft(workspace, account, editor)
    post_services.post_schedule(post=post, at=in_future(), actor=editor)
    assert statuses(post)[0] == Status.SCHEDULED


def test_an_editors_publish_now_and_queue_submit_instead(workspace, account, editor):
    post = draft(workspace, account, editor)
    post_services.post_publish_now(post=post, actor=editor)
    assert statuses(post) == (Status.PENDING_APPROVAL, [Status.PENDING_APPROVAL])
    assert PostTarget.objects.get(post=post).dispatched_at is None

    queue = PostQueueFactory(workspace=workspace, posting_schedule={d: ["09:00"] for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")})
    queued = draft(workspace, account, editor, "Queued")
    queue_add_post(queue=queue, post=queued, actor=editor)
    assert statuses(queued)[0] == Status.PENDING_APPROVAL and queued.scheduled_time > timezone.now()


def test_a_due_pending_post_is_never_dispatched(workspace, account, editor):
    post = draft(workspace, account, editor)
    post_services.post_schedule(post=post, at=in_future(seconds=30), actor=editor)
    PostTarget.objects.filter(post=post).update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    Post.objects.filter(pk=post.pk).update(scheduled_time=timezone.now() - timedelta(minutes=5))
    sent = []
    assert dispatch_due(enqueue=lambda ids, eta: sent.append(ids)) == 0
    assert sent == [] and PostTarget.objects.get(post=post).dispatched_at is None


def test_approving_schedules_it_for_its_time(workspace, account, editor, user):
    at = in_future()
    post = draft(workspace, account, editor)
    post_services.post_schedule(post=post, at=at, actor=editor)
    services.post_approve(post=post, actor=user, comment="Fine")
    assert statuses(post) == (Status.SCHEDULED, [Status.SCHEDULED])
    assert post.scheduled_time == at and PostTarget.objects.get(post=post).next_attempt_at == at
    assert kinds(post) == [Kind.SUBMITTED, Kind.APPROVED]
    assert ApprovalEvent.objects.get(post=post, kind=Kind.APPROVED).comment == "Fine"


def test_approving_a_post_whose_time_passed_asks_first_then_publishes_now(workspace, account, editor, user):
    post = draft(workspace, account, editor)
    post_services.post_schedule(post=post, at=in_future(seconds=30), actor=editor)
    Post.objects.filter(pk=post.pk).update(scheduled_time=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError) as refused:
        services.post_approve(post=post, actor=user)
    assert "publish_now_if_past" in refused.value.detail
    assert statuses(post)[0] == Status.PENDING_APPROVAL

    services.post_approve(post=post, actor=user, publish_now_if_past=True)
    target = PostTarget.objects.get(post=post)
    assert target.status == Status.SCHEDULED and target.dispatched_at is not None  # handed to the posting queue


def test_editors_and_viewers_cannot_approve_or_reject(workspace, account, editor, viewer):
    post = draft(workspace, account, editor)
    post_services.post_schedule(post=post, at=in_future(), actor=editor)
    for actor in (editor, viewer, None):
        with pytest.raises(PermissionDenied):
            services.post_approve(post=post, actor=actor)
        with pytest.raises(PermissionDenied):
            services.post_reject(post=post, actor=actor, comment="no")
    with pytest.raises(PermissionDenied):
        services.post_comment(post=post, actor=viewer, comment="hi")
    assert statuses(post)[0] == Status.PENDING_APPROVAL and kinds(post) == [Kind.SUBMITTED]


def test_rejecting_returns_the_post_to_draft_with_the_comment(workspace, account, editor, admin_member):
    post = draft(workspace, account, editor)
    post_services.post_schedule(post=post, at=in_future(), actor=editor)
    with pytest.raises(ValidationError) as refused:
        services.post_reject(post=post, actor=admin_member, comment="  ")
    assert "comment" in refused.value.detail
    services.post_reject(post=post, actor=admin_member, comment="Wrong hashtag")
    assert statuses(post) == (Status.DRAFT, [Status.DRAFT])
    event = ApprovalEvent.objects.get(post=post, kind=Kind.REJECTED)
    assert (event.actor, event.comment) == (admin_member, "Wrong hashtag")
    with pytest.raises(Conflict):
        services.post_approve(post=post, actor=admin_member)


@pytest.mark.parametrize("change", ["content", "time", "accounts"])
def test_editing_an_approved_post_sends_it_back_for_approval(workspace, account, editor, user, change):
    post = draft(workspace, account, editor)
    post_services.post_schedule(post=post, at=in_future(), actor=editor)
    services.post_approve(post=post, actor=user)
    from tests.factories import ConnectedAccountFactory

    edit = {"content": {"content": "Changed"}, "time": {"scheduled_time": in_future(days=2)},
            "accounts": {"accounts": [account, ConnectedAccountFactory(workspace=workspace)]}}[change]
    post_services.post_update(post=post, actor=user, **edit)  # by anyone, the owner included
    assert statuses(post) == (Status.PENDING_APPROVAL, [Status.PENDING_APPROVAL])
    assert kinds(post) == [Kind.SUBMITTED, Kind.APPROVED, Kind.EDITED_AFTER_APPROVAL]
    assert ApprovalEvent.objects.get(post=post, kind=Kind.EDITED_AFTER_APPROVAL).actor == user


def test_saving_an_approved_post_unchanged_keeps_it_approved(workspace, account, editor, user):
    post = draft(workspace, account, editor)
    post_services.post_schedule(post=post, at=in_future(), actor=editor)
    services.post_approve(post=post, actor=user)
    post_services.post_update(post=post, actor=editor, content=post.content, accounts=[account])
    assert statuses(post)[0] == Status.SCHEDULED


def test_an_owner_scheduling_a_pending_post_approves_it(workspace, account, editor, user):
    post = draft(workspace, account, editor)
    post_services.post_schedule(post=post, at=in_future(), actor=editor)
    post_services.post_schedule(post=post, at=in_future(days=3), actor=user)
    assert statuses(post)[0] == Status.SCHEDULED
    assert kinds(post) == [Kind.SUBMITTED, Kind.APPROVED]


def test_a_review_link_approves_without_an_account_until_revoked(workspace, account, editor, user):
    post = draft(workspace, account, editor)
    post_services.post_schedule(post=post, at=in_future(), actor=editor)
    link, token = services.review_link_create(post=post, actor=user)
    assert link.token_hash != token and len(link.token_hash) == 64 and token not in link.token_hash
    assert services.review_link_url(token).endswith(f"/review/{token}/")

    services.review_comment(token=token, reviewer_name="Client Carla", comment="Love it")
    services.review_approve(token=token, reviewer_name="Client Carla")
    assert statuses(post)[0] == Status.SCHEDULED
    approved = ApprovalEvent.objects.get(post=post, kind=Kind.APPROVED)
    assert (approved.actor, approved.reviewer_name, approved.review_link) == (None, "Client Carla", link)

    services.review_link_revoke(link=link, actor=user)
    with pytest.raises(NotFound):
        services.review_link_resolve(token)
    assert kinds(post) == [Kind.SUBMITTED, Kind.LINK_CREATED, Kind.COMMENTED, Kind.APPROVED, Kind.LINK_REVOKED]


def test_an_expired_review_link_does_not_work_and_editors_cannot_create_links(workspace, account, editor, user):
    post = draft(workspace, account, editor)
    post_services.post_schedule(post=post, at=in_future(), actor=editor)
    with pytest.raises(PermissionDenied):
        services.review_link_create(post=post, actor=editor)
    link, token = services.review_link_create(post=post, actor=user, expires_in=timedelta(hours=1))
    ReviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(NotFound):
        services.review_approve(token=token, reviewer_name="Late")
    with pytest.raises(ValidationError):
        services.review_link_create(post=post, actor=user, expires_in=timedelta(days=365))
    assert statuses(post)[0] == Status.PENDING_APPROVAL


def test_a_review_needs_a_name(workspace, account, editor, user):
    post = draft(workspace, account, editor)
    post_services.post_schedule(post=post, at=in_future(), actor=editor)
    _link, token = services.review_link_create(post=post, actor=user)
    with pytest.raises(ValidationError) as refused:
        services.review_approve(token=token, reviewer_name="   ")
    assert "name" in refused.value.detail and statuses(post)[0] == Status.PENDING_APPROVAL
