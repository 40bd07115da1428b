"""Post approvals: the workspace's policy, submit, approve, reject, comment, the history, and client
review links. The API, the web app, the public review page and the admin actions all call these.

Policy (accounts.Workspace.requires_approval): editors' schedule, queue and publish-now calls submit
the post instead (social_media.services.posts asks `submits_instead`); admins and owners (and staff)
approve. A submitted post and its targets are `pending_approval`, which the dispatcher never takes,
whatever the time. Approving schedules it for its time, or publishes it now when that time has passed
and the approver said so (`publish_now_if_past`). Rejecting takes it back to draft with a comment.
Changing an approved post sends it back (social_media.services.posts.post_update). Every step is an
ApprovalEvent row: who (a member, or the name a reviewer typed on a review link) and when.

Locking: every transition locks the post as the posting services do (lock_post), so an approval and a
concurrent edit or claim are serialised.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from accounts.models import Membership
from config.exceptions import Conflict
from social_media.models import PostMedia, PostTarget, Status, ThreadPart
from social_media.services.posts import _set_schedule, _validate_or_raise, lock_post

from .models import ApprovalEvent, ReviewLink

Kind = ApprovalEvent.Kind
Role = Membership.Role

MAX_COMMENT = 5000
MAX_NAME = 100


# --- Who may do what ---------------------------------------------------------------------------


def _has_role(workspace, user, minimum):
    """Staff (the operators, e.g. in the admin), or a member with at least `minimum` (Membership.has_role)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    membership = Membership.objects.filter(workspace=workspace, user=user).first()
    return membership is not None and membership.has_role(minimum)


def can_approve(workspace, user):
    """Admins and owners of the workspace approve; so does staff."""
    return _has_role(workspace, user, Role.ADMIN)


def can_comment(workspace, user):
    return _has_role(workspace, user, Role.EDITOR)


def submits_instead(workspace, actor):
    """Whether scheduling by `actor` submits the post for approval: the workspace requires approval
    and `actor` cannot approve (None, an automatic caller such as a feed, never can)."""
    return bool(workspace.requires_approval) and not can_approve(workspace, actor)


def _require(allowed, message):
    if not allowed:
        raise PermissionDenied(message)


# --- History -------------------------------------------------------------------------------------


def record_event(*, post, kind, actor=None, review_link=None, reviewer_name="", comment=""):
    return ApprovalEvent.objects.create(
        post=post, kind=kind, actor=actor if getattr(actor, "is_authenticated", False) else None, review_link=review_link,
        reviewer_name=reviewer_name, comment=comment, scheduled_time=post.scheduled_time,
    )


def post_history(post):
    return list(ApprovalEvent.objects.filter(post=post).select_related("actor").order_by("created_at", "id"))


def approval_snapshot(post):
    """What an approver approved: the text, each target's account, text and settings, the media in
    order, the thread's further parts, the first comment (text and delay) and the time. A change of any
    of it sends an approved post back for approval."""
    from first_comments.models import FirstComment

    targets = sorted(PostTarget.objects.filter(post_id=post.pk).values_list("account_id", "custom_content", "platform_specific_settings"))
    media = list(PostMedia.objects.filter(post_id=post.pk).order_by("order", "id").values_list("media_id", flat=True))
    thread = [(p, c, list(m or [])) for p, c, m in ThreadPart.objects.filter(post_id=post.pk).order_by("position").values_list("position", "content", "media_ids")]
    comment = FirstComment.objects.filter(post_id=post.pk).values_list("content", "delay_seconds").first()
    return (post.content, [(a, c, repr(sorted((s or {}).items()))) for a, c, s in targets], media, thread, comment, post.scheduled_time)


def _emit(post, event_type, **data):
    from webhooks.services import emit_safely

    payload = {"post_id": post.pk, "status": post.status,
               "scheduled_time": post.scheduled_time.isoformat().replace("+00:00", "Z") if post.scheduled_time else None, **data}
    emit_safely(workspace_id=post.workspace_id, event_type=event_type, data=payload)  # delivered once the caller commits


# --- Transitions ---------------------------------------------------------------------------------


def record_submission(*, post, target_ids, at, actor=None, edited=False):
    """Called by the posting services (under their locks, the post validated): the post and its
    targets wait for approval at `at`."""
    _set_schedule(post, target_ids, Status.PENDING_APPROVAL, at)
    record_event(post=post, kind=Kind.EDITED_AFTER_APPROVAL if edited else Kind.SUBMITTED, actor=actor)
    _emit(post, "post.submitted")
    return post


@transaction.atomic
def post_submit(*, post, actor, at=None):
    """Submit a post for approval at `at` (default: the time it has). Any editor may, whatever the
    workspace's setting; an admin's own submission waits for an approver like anyone's."""
    from social_media.services.posts import _check_time, _schedule_locked

    _require(can_comment(post.workspace, actor), "Only an editor or above can submit a post for approval.")
    lock_post(post)
    at = at if at is not None else post.scheduled_time
    if at is None:
        raise ValidationError({"scheduled_time": ["Give the time the post should go out at once approved."]})
    if post.status == Status.PENDING_APPROVAL and at == post.scheduled_time:
        raise Conflict("The post is already waiting for approval.")
    return _schedule_locked(post, _check_time(at), verb="submitted", actor=actor, submit=True)


@transaction.atomic
def post_approve(*, post, actor=None, review_link=None, reviewer_name="", comment="", publish_now_if_past=False):
    """Approve a post pending approval: scheduled for its time, or, when that time has passed, published
    now if `publish_now_if_past` (else a field error asks). By an approver (`actor`) or through a valid
    `review_link` (the reviewer's typed name recorded)."""
    if review_link is None:
        _require(can_approve(post.workspace, actor), "Only a workspace admin or owner can approve posts.")
    targets = lock_post(post)
    if post.status != Status.PENDING_APPROVAL or any(t.status != Status.PENDING_APPROVAL for t in targets) or not targets:
        raise Conflict(f"Only a post waiting for approval can be approved; this one is {post.get_status_display().lower()}.")
    _validate_or_raise(post)
    now = timezone.now()
    past = post.scheduled_time is None or post.scheduled_time <= now
    if past and not publish_now_if_past:
        when = post.scheduled_time.isoformat() if post.scheduled_time else "not set"
        raise ValidationError({"publish_now_if_past": [
            f"The post's time ({when}) has passed: approve with publish_now_if_past to publish it now, or give it a new time first."
        ]})
    ids = [t.pk for t in targets]
    _set_schedule(post, ids, Status.SCHEDULED, now if past else post.scheduled_time)
    record_event(post=post, kind=Kind.APPROVED, actor=actor, review_link=review_link, reviewer_name=reviewer_name, comment=comment)
    if past:
        from social_media.services.publishing import targets_make_due_now

        targets_make_due_now(target_ids=ids)
    from webhooks.events import post_scheduled

    post_scheduled(post)
    _emit(post, "post.approved", published_now=past)
    return post


def _clean_comment(comment, *, required):
    comment = (comment or "").strip()
    if required and not comment:
        raise ValidationError({"comment": ["Say what should change."]})
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": [f"At most {MAX_COMMENT} characters."]})
    if "\x00" in comment:
        raise ValidationError({"comment": ["Text cannot contain NUL characters (\\u0000)."]})
    return comment


@transaction.atomic
def post_reject(*, post, actor=None, comment, review_link=None, reviewer_name=""):
    """Send a post pending approval back to draft, with a comment saying why (approvers only)."""
    if review_link is None:
        _require(can_approve(post.workspace, actor), "Only a workspace admin or owner can reject posts.")
    comment = _clean_comment(comment, required=True)
    targets = lock_post(post)
    if post.status != Status.PENDING_APPROVAL:
        raise Conflict(f"Only a post waiting for approval can be rejected; this one is {post.get_status_display().lower()}.")
    _set_schedule(post, [t.pk for t in targets], Status.DRAFT, None)
    record_event(post=post, kind=Kind.REJECTED, actor=actor, review_link=review_link, reviewer_name=reviewer_name, comment=comment)
    _emit(post, "post.rejected", comment=comment)
    return post


@transaction.atomic
def post_comment(*, post, comment, actor=None, review_link=None, reviewer_name=""):
    """A comment on the post's history, by an editor or above, or by a reviewer through a link."""
    if review_link is None:
        _require(can_comment(post.workspace, actor), "Only an editor or above can comment.")
    comment = _clean_comment(comment, required=True)
    lock_post(post)
    return record_event(post=post, kind=Kind.COMMENTED, actor=actor, review_link=review_link, reviewer_name=reviewer_name, comment=comment)


# --- Review links --------------------------------------------------------------------------------


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def review_link_url(token):
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/review/{token}/"


@transaction.atomic
def review_link_create(*, post, actor, expires_in=None):
    """A new review link for the post: (link, token). The token is shown once (its SHA-256 is kept).
    Approvers only: the link can approve. Expires after `expires_in` (default REVIEW_LINK_DAYS)."""
    _require(can_approve(post.workspace, actor), "Only a workspace admin or owner can create review links.")
    if expires_in is None:
        expires_in = timedelta(days=settings.REVIEW_LINK_DAYS)
    if not timedelta(minutes=5) <= expires_in <= timedelta(days=90):
        raise ValidationError({"expires_in_hours": ["Between 5 minutes and 90 days."]})
    lock_post(post)
    if post.status in (Status.POSTED, Status.PARTIALLY_POSTED, Status.DELETED, Status.DELETING, Status.PUBLISHING):
        raise Conflict("This post has been published; there is nothing left to review.")
    token = secrets.token_urlsafe(32)
    link = ReviewLink.objects.create(post=post, token_hash=_hash(token), created_by=actor, expires_at=timezone.now() + expires_in)
    record_event(post=post, kind=Kind.LINK_CREATED, actor=actor, review_link=link)
    return link, token


@transaction.atomic
def review_link_revoke(*, link, actor):
    """Stop a review link from working (approvers only). Revoking twice changes nothing."""
    _require(can_approve(link.post.workspace, actor), "Only a workspace admin or owner can revoke review links.")
    if ReviewLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=actor):
        record_event(post=link.post, kind=Kind.LINK_REVOKED, actor=actor, review_link=link)
    link.refresh_from_db()
    return link


def review_link_resolve(token):
    """The link for `token` while it works (not revoked, not expired), else NotFound."""
    if not token or len(token) > 100:
        raise NotFound("This review link does not work.")
    link = ReviewLink.objects.select_related("post", "post__workspace").filter(token_hash=_hash(token)).first()
    if link is None or link.revoked_at is not None or link.expires_at <= timezone.now():
        raise NotFound("This review link has expired or was revoked.")
    return link


def clean_reviewer_name(name):
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": ["Type your name, so the team knows who reviewed."]})
    if len(name) > MAX_NAME:
        raise ValidationError({"name": [f"At most {MAX_NAME} characters."]})
    return name


def review_approve(*, token, reviewer_name, comment="", publish_now_if_past=False):
    """Approve through a review link: what an approver's approval does, recorded with the typed name."""
    link = review_link_resolve(token)
    name = clean_reviewer_name(reviewer_name)
    post = post_approve(post=link.post, review_link=link, reviewer_name=name, comment=_clean_comment(comment, required=False),
                        publish_now_if_past=publish_now_if_past)
    ReviewLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    return post


def review_comment(*, token, reviewer_name, comment):
    link = review_link_resolve(token)
    name = clean_reviewer_name(reviewer_name)
    event = post_comment(post=link.post, review_link=link, reviewer_name=name, comment=comment)
    ReviewLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    return event


def pending_approval_posts(workspace):
    from social_media.models import Post

    return Post.objects.filter(workspace=workspace, status=Status.PENDING_APPROVAL).order_by("scheduled_time", "id")


