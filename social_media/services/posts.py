"""Post lifecycle: create, edit, schedule, unschedule, cancel, delete, retry a target, and the post's
status as a summary of its targets.

Concurrency: the publishing engine claims a target with a compare-and-set (scheduled -> publishing) and
then refreshes the post's status. Every service here that changes a post first locks the post's
targets (in id order) and then the post row, the same order the engine takes, so a change and a claim
are serialised and never deadlock: whichever commits first wins, and the loser sees the new status.
"""

from collections import Counter

from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from rest_framework.exceptions import NotFound, ValidationError

from accounts.throttling import consume_scheduled_post
from config.datetimes import OUT_OF_RANGE, as_utc
from config.exceptions import Conflict
from config.sizes import capped
from social_media.models import Post, PostMedia, PostTarget, Status, summarize_status, without_secrets

from .threads import thread_set
from .validation import validate_post, validate_target_settings, validate_thread

# While every target is in one of these, no worker holds the post: it may still change.
PENDING_STATUSES = frozenset({Status.DRAFT, Status.PENDING_APPROVAL, Status.SCHEDULED, Status.QUEUED})
SCHEDULED_STATUSES = frozenset({Status.SCHEDULED, Status.QUEUED})
# Waiting for its time: scheduled (the engine takes it when due) or submitted for approval (never taken).
WAITING_STATUSES = SCHEDULED_STATUSES | {Status.PENDING_APPROVAL}
RETRYABLE_STATUSES = frozenset({Status.FAILED, Status.UNCONFIRMED})
# A post may be deleted while nothing of it is live on a network or in a worker's hands.
DELETABLE_STATUSES = PENDING_STATUSES | {Status.DELETED, Status.CANCELLED, Status.FAILED}

UNSET = object()  # "not given" for partial updates (None means "clear")


def lock_post(post):
    """Lock the post's targets, then the post; refresh `post` from the locked row. Returns the targets."""
    targets = list(without_secrets(PostTarget.objects.select_for_update().filter(post_id=post.pk).select_related("account"), "account").order_by("id"))
    try:
        post.refresh_from_db(from_queryset=Post.objects.select_for_update())
    except Post.DoesNotExist:
        raise NotFound("Post not found.") from None
    return targets


# What a target in a status that blocks a change has been through, for the refusal's message.
_BLOCKED_BECAUSE = {
    Status.POSTED: "it was already published", Status.PUBLISHING: "it is being published right now",
    Status.FAILED: "publishing it failed (retry the failed target instead)",
    Status.UNCONFIRMED: "its outcome is unconfirmed (resolve it first)", Status.CANCELLED: "it was cancelled",
    Status.DELETED: "it was deleted from its network",
}


def _ensure_pending(targets, verb):
    blocked = sorted({t.status for t in targets} - PENDING_STATUSES)
    if blocked:
        reasons = "; ".join(f"a target is {status}: {_BLOCKED_BECAUSE.get(status, status)}" for status in blocked)
        raise Conflict(f"The post can no longer be {verb}: {reasons}.")


def _check_time(at):
    """`at` in UTC. A time whose UTC instant is past year 9999 (9999-12-31 23:00 in New York) is refused:
    PostgreSQL would store it, but no page or API answer listing the post could read it back."""
    if at is None or timezone.is_naive(at):
        raise ValidationError({"scheduled_time": ["Give a time with a UTC offset, e.g. 2030-01-31T09:00:00+01:00."]})
    try:
        at = as_utc(at)
    except OverflowError:
        raise ValidationError({"scheduled_time": [OUT_OF_RANGE]}) from None
    if at <= timezone.now():
        raise ValidationError({"scheduled_time": ["Must be in the future."]})
    return at


def _check_workspace(post, accounts, media):
    foreign = [a.pk for a in accounts if a.workspace_id != post.workspace_id or not a.is_active]
    if foreign:
        raise ValidationError({"target_accounts": [f"No active connected account with id {', '.join(map(str, foreign))} in this workspace."]})
    foreign = [m.pk for m in media if m.workspace_id != post.workspace_id]
    if foreign:
        raise ValidationError({"media_ids": [f"No media file with id {', '.join(map(str, foreign))} in this workspace."]})
    repeated = sorted(pk for pk, n in Counter(m.pk for m in media).items() if n > 1)
    if repeated:  # one PostMedia row per file (unique_media_per_post)
        raise ValidationError({"media_ids": [f"Each media file may be attached once; repeated: {', '.join(map(str, repeated))}."]})


def _set_targets(post, accounts, existing):
    """Make the post's targets exactly `accounts`. New targets join the post's schedule, if any."""
    wanted = {a.pk for a in accounts}
    have = {t.account_id for t in existing}
    PostTarget.objects.filter(post_id=post.pk).exclude(account_id__in=wanted).delete()
    waiting = post.status in WAITING_STATUSES
    PostTarget.objects.bulk_create(
        PostTarget(
            post=post,
            account=account,
            status=(Status.PENDING_APPROVAL if post.status == Status.PENDING_APPROVAL else Status.SCHEDULED) if waiting else Status.DRAFT,
            next_attempt_at=post.scheduled_time if waiting else None,
        )
        for account in accounts
        if account.pk not in have
    )


def _set_custom_content(post, mapping):
    """Per-target text, keyed by account id; targets not named go back to the post's content."""
    targets = {str(t.account_id): t for t in PostTarget.objects.filter(post_id=post.pk)}
    unknown = [key for key in mapping if key not in targets]
    if unknown:
        raise ValidationError({"custom_content": capped({key: ["Not one of this post's target accounts."] for key in unknown})})
    for key, target in targets.items():
        target.custom_content = mapping.get(key) or ""
    PostTarget.objects.bulk_update(targets.values(), ["custom_content"])


def _has_nul(value):
    """Whether a NUL is in any key or string of a JSON value (PostgreSQL's jsonb refuses it)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return False


def _set_target_settings(post, mapping):
    """Per-target network settings (Reddit: subreddit, title, flair_id, flair_text, url), keyed by
    account id; each given target's settings are replaced, the others kept. Checked when scheduled."""
    targets = {str(t.account_id): t for t in PostTarget.objects.filter(post_id=post.pk)}
    unknown = [key for key in mapping if key not in targets]
    if unknown:
        raise ValidationError({"target_settings": {key: ["Not one of this post's target accounts."] for key in unknown}})
    with_nul = [key for key, values in mapping.items() if _has_nul(values)]
    if with_nul:
        raise ValidationError({"target_settings": capped({key: ["Text cannot contain NUL characters (\\u0000)."] for key in with_nul})})
    for key, values in mapping.items():
        targets[key].platform_specific_settings = values or {}
    PostTarget.objects.bulk_update([targets[key] for key in mapping], ["platform_specific_settings"])


def _set_media(post, media):
    PostMedia.objects.filter(post_id=post.pk).delete()
    PostMedia.objects.bulk_create(PostMedia(post=post, media=m, order=i) for i, m in enumerate(media))


@transaction.atomic
def post_create(*, workspace, author, content="", accounts=(), custom_content=None, media=(), scheduled_time=None, target_settings=None, thread=None,
                first_comment=UNSET):
    """A draft post with one target per account and its media in order; scheduled at once when
    `scheduled_time` is given (all or nothing: a post that fails validation is not created).
    `first_comment`: {"content", "delay_seconds"} (first_comments.services.first_comment_apply)."""
    post = Post.objects.create(workspace=workspace, author=author, content=content)
    _check_workspace(post, accounts, media)
    _set_targets(post, accounts, existing=[])
    if custom_content:
        _set_custom_content(post, custom_content)
    if target_settings:
        _set_target_settings(post, target_settings)
    _set_media(post, media)
    if thread:  # the parts after the first (docs/threads.md), before any scheduling validates them
        thread_set(post, thread)
    if first_comment is not UNSET and first_comment is not None:  # part of the post the approver sees
        from first_comments.services import first_comment_apply

        first_comment_apply(post=post, value=first_comment)
    if scheduled_time is not None:
        post_schedule(post=post, at=scheduled_time, actor=author)
    return post


@transaction.atomic
def post_update(*, post, content=UNSET, accounts=UNSET, custom_content=UNSET, media=UNSET, scheduled_time=UNSET, target_settings=UNSET, thread=UNSET,
                first_comment=UNSET, actor=None):
    """Edit a post nobody is publishing yet. `scheduled_time=None` unschedules it (back to draft); a
    time reschedules it (or submits it for approval, approvals.services.submits_instead); an edit of a
    waiting post without a new time is validated again. `first_comment`: {"content", "delay_seconds"}
    sets it, None removes it. In a workspace that requires approval, a change of an approved (scheduled)
    post's text, accounts, media, settings, thread, first comment or time, by anyone, sends it back for
    approval ("edited after approval")."""
    from approvals.services import approval_snapshot

    targets = lock_post(post)
    _ensure_pending(targets, "edited")
    before = approval_snapshot(post) if post.status in SCHEDULED_STATUSES and post.workspace.requires_approval else None
    _check_workspace(post, [] if accounts is UNSET else accounts, [] if media is UNSET else media)
    if content is not UNSET:
        post.content = content
        post.save(update_fields=["content", "updated_at"])
    if accounts is not UNSET:
        _set_targets(post, accounts, targets)
    if custom_content is not UNSET:
        _set_custom_content(post, custom_content or {})
    if target_settings is not UNSET:
        _set_target_settings(post, target_settings or {})
    if media is not UNSET:
        _set_media(post, media)
    if thread is not UNSET:
        thread_set(post, thread)
    if first_comment is not UNSET:  # after the targets: it is checked on each target's network
        from first_comments.services import first_comment_apply

        first_comment_apply(post=post, value=first_comment)
    at = _check_time(scheduled_time) if scheduled_time not in (None, UNSET) else None
    edited = before is not None and (approval_snapshot(post) != before or (at is not None and at != post.scheduled_time))
    if scheduled_time is None:
        post_unschedule(post=post)
    elif scheduled_time is not UNSET:
        _schedule_locked(post, at, actor=actor, submit=True if edited else None)
    elif post.status in WAITING_STATUSES:
        if not PostTarget.objects.filter(post_id=post.pk).exists():
            raise ValidationError({"target_accounts": ["A scheduled post needs at least one account."]})
        _validate_or_raise(post)
        if edited:
            _schedule_locked(post, post.scheduled_time, actor=actor, submit=True)
        post_refresh_status(post=post)
    return post


@transaction.atomic
def post_schedule(*, post, at, actor=None):
    """Validate the post on every target's network, count it against the plan's daily quota (a
    reschedule does not count again) and schedule every target for `at`. When the workspace requires
    approval and `actor` cannot approve (an editor; None: an automatic caller), the post is submitted
    for approval instead (pending_approval, keeping `at`)."""
    return _schedule_locked(post, _check_time(at), actor=actor)


@transaction.atomic
def post_publish_now(*, post, actor=None):
    """Validate and hand every target to the posting queue at once (publish-now, admin action); when
    the post needs approval first (post_schedule), it is submitted for approval for now instead."""
    from .publishing import targets_make_due_now

    _schedule_locked(post, timezone.now(), verb="published now", actor=actor)
    if post.status == Status.SCHEDULED:
        targets_make_due_now(target_ids=list(PostTarget.objects.filter(post_id=post.pk).values_list("id", flat=True)))
    return post


def _validate_or_raise(post):
    """The post's content on each network (`targets`) and each target's network settings (`target_settings`)."""
    errors = {"targets": validate_post(post), "target_settings": validate_target_settings(post), "thread": validate_thread(post)}
    errors = {key: value for key, value in errors.items() if value}
    if errors:
        raise ValidationError(errors)


def _schedule_locked(post, at, verb="scheduled", *, actor=None, submit=None):
    """Schedule the post for `at`, or submit it for approval (`submit`; None: as the workspace's
    policy says for `actor`, and always when an approved post is moved to another time). A post
    that was pending approval and is scheduled (or published now) by an approver is approved by them."""
    from approvals import services as approvals

    targets = lock_post(post)
    _ensure_pending(targets, verb)
    if not targets:
        raise ValidationError({"target_accounts": ["Choose at least one account to publish to."]})
    _validate_or_raise(post)
    if submit is None:
        moved = verb == "scheduled" and post.status in SCHEDULED_STATUSES and at != post.scheduled_time
        submit = (moved and post.workspace.requires_approval) or approvals.submits_instead(post.workspace, actor)
    if post.status not in WAITING_STATUSES:
        consume_scheduled_post(post.workspace)
    if submit:
        approvals.record_submission(post=post, target_ids=[t.pk for t in targets], at=at, actor=actor, edited=post.status in SCHEDULED_STATUSES)
        return post
    was_pending = post.status == Status.PENDING_APPROVAL
    _set_schedule(post, [t.pk for t in targets], Status.SCHEDULED, at)
    if was_pending:
        approvals.record_event(post=post, kind=approvals.Kind.APPROVED, actor=actor)
    if verb == "scheduled":
        from webhooks.events import post_scheduled

        post_scheduled(post)  # delivered once this transaction commits
    return post


def _set_schedule(post, target_ids, status, at):
    """Put the post and the given targets in `status` for time `at`, with no dispatch or claim."""
    PostTarget.objects.filter(pk__in=target_ids).update(status=status, next_attempt_at=at, dispatched_at=None, claimed_at=None)
    post.status = status
    post.scheduled_time = at
    post.save(update_fields=["status", "scheduled_time", "updated_at"])
    return post


@transaction.atomic
def post_unschedule(*, post):
    """Take a scheduled post back to draft."""
    targets = lock_post(post)
    _ensure_pending(targets, "unscheduled")
    return _set_schedule(post, [t.pk for t in targets], Status.DRAFT, None)


@transaction.atomic
def post_cancel(*, post):
    """Cancel a scheduled post: every scheduled/queued target becomes cancelled. Conflict once any
    target is publishing or done, or when there is nothing scheduled to cancel."""
    targets = lock_post(post)
    _ensure_pending(targets, "cancelled")
    if not any(t.status in SCHEDULED_STATUSES for t in targets):
        raise Conflict("Only a scheduled post can be cancelled.")
    # Compare-and-set on the status, under the locks: a target the engine claimed is never cancelled.
    PostTarget.objects.filter(post_id=post.pk, status__in=SCHEDULED_STATUSES).update(
        status=Status.CANCELLED, next_attempt_at=None, dispatched_at=None, claimed_at=None
    )
    post_refresh_status(post=post)
    return post


@transaction.atomic
def post_delete(*, post):
    """Delete a post nothing of which is live: every target pending, deleted, cancelled or failed
    (unpublish a published post first)."""
    targets = lock_post(post)
    blocked = sorted({t.status for t in targets} - DELETABLE_STATUSES)
    if blocked:
        hint = " Unpublish it first." if Status.POSTED in blocked else ""
        raise Conflict(f"The post can no longer be deleted: a target is {', '.join(blocked)}.{hint}")
    post.delete()


@transaction.atomic
def post_refresh_status(*, post):
    """Set the post's status (and posted_at, the last target's publish time) from its targets'.
    A post without targets keeps its status. Returns the status."""
    list(Post.objects.select_for_update().filter(pk=post.pk).values_list("pk", flat=True))
    rows = list(PostTarget.objects.filter(post_id=post.pk).values_list("status", "posted_at"))
    status = summarize_status(status for status, _ in rows)
    if status is None:
        return post.status
    posted_at = max((at for _, at in rows if at), default=None)
    Post.objects.filter(pk=post.pk).update(status=status, posted_at=posted_at, updated_at=timezone.now())
    post.status, post.posted_at = status, posted_at
    return status


@transaction.atomic
def posts_refresh_status(*, post_ids):
    """post_refresh_status for many posts in a constant number of queries (the engine, per batch).
    Posts are locked in id order, as lock_post does, so concurrent refreshes serialise."""
    post_ids = sorted(post_ids)
    if not post_ids:
        return
    list(Post.objects.select_for_update().filter(pk__in=post_ids).order_by("pk").values_list("pk", flat=True))
    rows = {}
    for post_id, status, posted_at in PostTarget.objects.filter(post_id__in=post_ids).values_list("post_id", "status", "posted_at"):
        rows.setdefault(post_id, []).append((status, posted_at))
    by_status = {}
    for post_id, targets in rows.items():
        by_status.setdefault(summarize_status(status for status, _ in targets), []).append(post_id)
    # One UPDATE per resulting status (a batch usually has one or two), posted_at read in place: a
    # bulk_update's CASE per row cost more CPU than the batch's publishing.
    last_posted = PostTarget.objects.filter(post_id=OuterRef("pk")).order_by().values("post_id").annotate(at=Max("posted_at")).values("at")
    now = timezone.now()
    for status, ids in by_status.items():
        Post.objects.filter(pk__in=ids).update(status=status, posted_at=Subquery(last_posted), updated_at=now)


@transaction.atomic
def target_retry(*, target):
    """Send a failed or unconfirmed target again now: back to scheduled, error and retry count cleared
    (its idempotency key stays, so networks that honour it still never post twice)."""
    locked = PostTarget.objects.select_for_update().select_related("account", "post").filter(pk=target.pk).first()
    if locked is None:
        raise NotFound("Target not found.")
    if locked.status not in RETRYABLE_STATUSES:
        raise Conflict(f"Only a failed or unconfirmed target can be retried; this one is {locked.status}.")
    if not locked.account.is_active or locked.account.needs_reconnect:
        raise Conflict("The account is disconnected; reconnect it before retrying.")
    PostTarget.objects.filter(pk=locked.pk, status=locked.status).update(
        status=Status.SCHEDULED, next_attempt_at=timezone.now(), error_message="", retry_count=0,
        dispatched_at=None, claimed_at=None,
    )
    post_refresh_status(post=locked.post)
    target.refresh_from_db()
    return target
