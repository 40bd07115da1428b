"""Unpublishing: delete a post's published targets from their networks, through the engine.

Life of a target being unpublished (statuses from social_media.models.Status):

    posted --post_unpublish--> deleting + dispatched --claim (CAS on claimed_at)--> delete on the network
        --> deleted
        \\-> deleting, due later (transient error: retried with the engine's backoff)
        \\-> posted, with the reason in error_message (refused for good, or out of attempts)

Every network call leaves a PublishAttempt row of kind `delete`. Deleting is idempotent on every
network (an already-deleted post answers 404, which adapters treat as done), so a delete whose outcome
is unknown, or whose worker died, is simply sent again; there is no `unconfirmed` here.
Deletes run on the posting queue (`unpublish_targets_task`); retries are handed out again by the
dispatcher (`dispatch_due_deletes`, every DISPATCH_INTERVAL_SECONDS) and lost ones by the sweeper.
"""

import logging
import random
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from config.exceptions import Conflict
from social_media.models import PostTarget, PublishAttempt, Status, TargetPartPublication
from social_media.platforms import PlatformFactory
from social_media.platforms.base import (
    AccountDisconnected,
    OutcomeUnknown,
    PlatformError,
    RateLimited,
    TokenExpired,
    TransientError,
)

from .posts import lock_post, post_refresh_status, posts_refresh_status
from .publishing import CLAIM_EARLY_SECONDS, Outcome, backoff_seconds, dispatch_targets, finish_attempt
from .tokens import account_mark_disconnected, account_refresh_token

logger = logging.getLogger(__name__)

MAX_TARGET_IDS = 100  # more than any post has targets


def _enqueue(target_ids, eta=None):
    from social_media.tasks import unpublish_targets_task

    unpublish_targets_task.apply_async(args=[target_ids], eta=eta)


@transaction.atomic
def post_unpublish(*, post, target_ids=None):
    """Delete the post's posted targets (or only `target_ids`) from their networks. The targets
    become `deleting` and go to the posting queue once this transaction commits; each ends `deleted`,
    or back to `posted` with the reason. Returns the ids sent for deletion."""
    targets = lock_post(post)
    if target_ids is None:
        chosen = [t for t in targets if t.status == Status.POSTED]
        if not chosen:
            raise Conflict("Nothing of this post is published, so there is nothing to unpublish.")
    else:
        by_id = {t.pk: t for t in targets}
        unknown = sorted(set(target_ids) - set(by_id))
        if unknown:
            raise ValidationError({"targets": [f"Not a target of this post: {', '.join(map(str, unknown))}."]})
        chosen = [by_id[i] for i in sorted(set(target_ids))]
        blocked = [t for t in chosen if t.status != Status.POSTED]
        if blocked:
            raise Conflict("Only a posted target can be unpublished: " + ", ".join(f"target {t.pk} is {t.status}" for t in blocked) + ".")
    now = timezone.now()
    ids = [t.pk for t in chosen]
    PostTarget.objects.filter(pk__in=ids, status=Status.POSTED).update(
        status=Status.DELETING, next_attempt_at=now, dispatched_at=now, claimed_at=None, heartbeat_at=None, error_message=""
    )
    post_refresh_status(post=post)
    transaction.on_commit(lambda: _enqueue(ids))
    return ids


def dispatch_due_deletes(*, now=None, enqueue=None):
    """Hand deletes due within the look-ahead window (retries, and those the sweeper found lost) to
    the posting queue, as dispatch_due does for publishes. Returns how many."""
    return dispatch_targets(status=Status.DELETING, enqueue=enqueue or _enqueue, now=now)


def _claim(target_id):
    """Compare-and-set: only one worker deletes a target at a time."""
    now = timezone.now()
    claimed = PostTarget.objects.filter(
        id=target_id, status=Status.DELETING, dispatched_at__isnull=False, claimed_at__isnull=True,
        next_attempt_at__lte=now + timedelta(seconds=CLAIM_EARLY_SECONDS),
    ).update(claimed_at=now, heartbeat_at=now, last_attempt_at=now)
    if not claimed:
        return None
    return PostTarget.objects.select_related("account", "post").get(id=target_id)


def unpublish_batch(*, target_ids):
    """Claim and delete each target in turn. Returns {id: Outcome} for the targets this call claimed."""
    outcomes = {}
    post_ids = set()
    try:
        for target_id in sorted(target_ids):
            target = _claim(target_id)
            if target is None:
                continue
            post_ids.add(target.post_id)
            outcomes[target_id] = _delete_one(target)
    finally:
        posts_refresh_status(post_ids=post_ids)
    return outcomes


def _delete_one(target):
    close_old_connections()
    number = PublishAttempt.objects.filter(target=target, kind=PublishAttempt.Kind.DELETE).count() + 1
    attempt = PublishAttempt.objects.create(target=target, kind=PublishAttempt.Kind.DELETE, attempt_number=number, started_at=timezone.now())
    account = target.account
    network = account.get_platform_display()
    if not account.is_active or account.needs_reconnect:
        return _keep_posted(target, attempt, AccountDisconnected(
            f"The {network} account @{account.platform_username} is disconnected; reconnect it, then unpublish again."
        ))
    try:
        adapter = PlatformFactory.get_platform(account)
        try:
            _delete_all(adapter, target)
        except TokenExpired:
            account = account_refresh_token(account_id=account.id)
            _delete_all(PlatformFactory.get_platform(account), target)
    except (RateLimited, TransientError, OutcomeUnknown) as exc:
        return _retry_or_give_up(target, attempt, exc, number)
    except (AccountDisconnected, TokenExpired) as exc:
        account_mark_disconnected(account=account, message=exc.message)
        return _keep_posted(target, attempt, exc)
    except PlatformError as exc:
        return _keep_posted(target, attempt, exc)
    except Exception as exc:  # a bug must never leave a claimed delete without a verdict; deleting again is safe
        logger.exception("unexpected error deleting target %s", target.id)
        return _retry_or_give_up(target, attempt, TransientError(f"Unexpected error: {exc.__class__.__name__}"), number)
    _set(target, status=Status.DELETED, claimed_at=None, error_message="")
    finish_attempt(attempt, PublishAttempt.Outcome.SUCCESS, message=f"Deleted from {network}.")
    return Outcome(Status.DELETED)


def _delete_all(adapter, target):
    """The target's post and, for a thread (docs/threads.md), every later part it published, last part
    first. Deleting is idempotent, so a retry deletes again, harmlessly, what is already gone."""
    later = TargetPartPublication.objects.filter(target_id=target.pk, position__gte=1).order_by("-position")
    for platform_post_id in later.values_list("platform_post_id", flat=True):
        adapter.delete(platform_post_id)
    adapter.delete(target.platform_post_id)


def _set(target, **fields):
    """Write a verdict only while this worker still holds the claim."""
    changed = PostTarget.objects.filter(id=target.id, status=Status.DELETING, claimed_at=target.claimed_at).update(**fields)
    for name, value in fields.items():
        setattr(target, name, value)
    return changed


def _keep_posted(target, attempt, exc):
    """Refused for good: the post stays published; the target says why."""
    message = f"Could not delete the post from {target.account.get_platform_display()}: {exc.message}"
    _set(target, status=Status.POSTED, claimed_at=None, next_attempt_at=None, dispatched_at=None, error_message=message)
    finish_attempt(attempt, PublishAttempt.Outcome.FAILED, exc)
    return Outcome(Status.POSTED, message)


def _retry_or_give_up(target, attempt, exc, number):
    if number >= settings.PUBLISH_MAX_ATTEMPTS:
        exc.message = f"{exc.message} Gave up after {number} attempts; unpublish again to retry."
        return _keep_posted(target, attempt, exc)
    delay = backoff_seconds(number)
    if isinstance(exc, RateLimited) and exc.retry_after:
        delay = max(delay, exc.retry_after + random.uniform(0, 1))
    retry_at = timezone.now() + timedelta(seconds=delay)
    _set(target, next_attempt_at=retry_at, dispatched_at=None, claimed_at=None,
         error_message=f"Deleting failed: {exc.message} Retrying at {retry_at:%H:%M:%S} UTC.")
    finish_attempt(attempt, PublishAttempt.Outcome.RETRY, exc)
    return Outcome(Status.DELETING, exc.message)


def sweep_deletes(*, now, lost_before, stuck_before):
    """Sweeper: a delete whose message was lost, or whose worker died mid-call, is handed out again
    (deleting twice is harmless). Returns how many."""
    lost = PostTarget.objects.filter(
        status=Status.DELETING, claimed_at__isnull=True, dispatched_at__lt=lost_before, next_attempt_at__lt=lost_before
    ).update(dispatched_at=None)
    stuck_ids = list(
        PostTarget.objects.filter(status=Status.DELETING, claimed_at__isnull=False, heartbeat_at__lt=stuck_before).values_list("id", flat=True)
    )
    for target_id in stuck_ids:
        if PostTarget.objects.filter(id=target_id, status=Status.DELETING, heartbeat_at__lt=stuck_before).update(
            claimed_at=None, dispatched_at=None, next_attempt_at=now
        ):
            PublishAttempt.objects.filter(target_id=target_id, kind=PublishAttempt.Kind.DELETE, finished_at__isnull=True).update(
                finished_at=now, outcome=PublishAttempt.Outcome.RETRY, error_class="OutcomeUnknown",
                message="The worker deleting this post stopped before it finished; deleting again.",
            )
    return lost + len(stuck_ids)
