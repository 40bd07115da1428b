"""First comments: set on a post, validated per target network, delivered once after the post.

Life of a delivery (FirstCommentDelivery.Status):

    target posted --delivery_create_for--> pending (due_at = posted_at + delay)
        --dispatch (ETA due_at, within the look-ahead)--> pending + dispatched_at
        --claim (CAS pending -> sending)--> sending --> posted
                                                   \\-> pending (transient / rate limited: backoff)
                                                   \\-> failed / unconfirmed

Exactly once, as the engine does it: a delivery row exists at most once per target (OneToOne), a
message only acts on a row it claims by compare-and-set, and a comment whose answer was lost is looked
for on the network before any retry; where the network can neither be asked nor deduplicates, the
delivery becomes `unconfirmed` instead of being sent again. The beat task re-dispatches deliveries
whose message was lost and settles those whose worker died mid-send.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from config.exceptions import Conflict
from social_media.models import Post, PostTarget, Status, without_secrets
from social_media.platforms import PlatformFactory
from social_media.platforms.base import (
    AccountDisconnected,
    OutcomeUnknown,
    PlatformError,
    PublishResult,
    RateLimited,
    TokenExpired,
    TransientError,
)
from social_media.services.links import post_link
from social_media.services.publishing import REFRESH_BEFORE_PUBLISH_SECONDS, backoff_seconds
from social_media.services.tokens import account_load_secrets, account_mark_disconnected, account_refresh_token

from .models import MAX_CONTENT, MAX_DELAY_SECONDS, FirstComment, FirstCommentDelivery

logger = logging.getLogger(__name__)
D = FirstCommentDelivery.Status
CLAIM_EARLY_SECONDS = 1.0
# The statuses in which a post's first comment may still change (nothing of it is published yet).
EDITABLE_TARGET_STATUSES = {Status.DRAFT, Status.PENDING_APPROVAL, Status.SCHEDULED, Status.QUEUED}
DELETED_POST = "The post is no longer on the network (it was deleted), so its first comment was not posted."


# --- compose: set, validate ------------------------------------------------------------------
def first_comment_errors(*, post, content: str) -> dict[str, list[str]]:
    """Problems of `content` as a first comment on each of the post's target networks:
    {"<account id>": ["..."]}; empty when valid."""
    errors = {}
    for target in without_secrets(post.targets.select_related("account"), "account").order_by("id"):
        problems = PlatformFactory.get_platform(target.account).validate_comment(content)
        if problems:
            errors[str(target.account_id)] = [f"{target.account}: {problem}" for problem in problems]
    return errors


def _clean(content, delay_seconds):
    content = content if isinstance(content, str) else ""
    field_errors = {}
    if not content.strip():
        field_errors["content"] = ["Write the first comment, or remove it."]
    elif len(content) > MAX_CONTENT:
        field_errors["content"] = [f"A first comment can be at most {MAX_CONTENT:,} characters."]
    elif "\x00" in content:
        field_errors["content"] = ["Text cannot contain NUL characters (\\u0000)."]
    if isinstance(delay_seconds, bool) or not isinstance(delay_seconds, int) or not 0 <= delay_seconds <= MAX_DELAY_SECONDS:
        field_errors["delay_seconds"] = [f"The delay is a whole number of seconds from 0 to {MAX_DELAY_SECONDS:,} (24 hours)."]
    return content, field_errors


@transaction.atomic
def first_comment_set(*, post, content, delay_seconds=0):
    """Give the post this first comment (replacing any), checked against every target's network.
    Raises ValidationError {"first_comment": {...}}; Conflict once any target left the pending states."""
    content, field_errors = _clean(content, delay_seconds)
    if not field_errors:
        per_target = first_comment_errors(post=post, content=content)
        if per_target:
            field_errors["content"] = [problem for problems in per_target.values() for problem in problems]
    if field_errors:
        raise ValidationError({"first_comment": field_errors})
    _ensure_editable(post)
    comment, _created = FirstComment.objects.update_or_create(post=post, defaults={"content": content, "delay_seconds": delay_seconds})
    return comment


@transaction.atomic
def first_comment_clear(*, post):
    _ensure_editable(post)
    FirstComment.objects.filter(post=post).delete()


def _ensure_editable(post):
    statuses = set(PostTarget.objects.select_for_update().filter(post_id=post.pk).values_list("status", flat=True))
    if statuses - EDITABLE_TARGET_STATUSES:
        raise Conflict("The first comment can no longer change: the post is being published or was published.")


def first_comment_apply(*, post, value):
    """The posting services' `first_comment` (post_create, post_update: the API, the composer, the
    admin): a dict {content, delay_seconds} sets it, None removes it. Call it through post_update, which
    sends an approved post whose comment changed back for approval."""
    if value is None:
        first_comment_clear(post=post)
    else:
        first_comment_set(post=post, content=value.get("content"), delay_seconds=value.get("delay_seconds", 0))


def first_comment_revalidate(*, post):
    """After the post's targets changed: the stored comment must still fit every network."""
    comment = FirstComment.objects.filter(post=post).first()
    if comment is not None:
        per_target = first_comment_errors(post=post, content=comment.content)
        if per_target:
            raise ValidationError({"first_comment": {"content": [p for problems in per_target.values() for p in problems]}})


# --- the hook: a target was posted ---------------------------------------------------------
def delivery_create_for(*, target):
    """Called when `target` became posted (the engine's _succeed, staff resolving an unconfirmed target):
    when its post has a first comment, create the target's delivery, due `delay_seconds` after the post
    was published, and dispatch it once this transaction commits. Never raises: a first comment must
    not disturb the verdict on the post."""
    try:
        comment = _comment_of(target)
        if comment is None:
            return None
        posted = PostTarget.objects.filter(id=target.id, status=Status.POSTED).values_list("posted_at", flat=True)
        if not posted:
            return None  # this worker lost its claim, or the target is not posted
        content, delay = comment
        due_at = (posted[0] or timezone.now()) + timedelta(seconds=delay)
        delivery, created = FirstCommentDelivery.objects.get_or_create(target_id=target.id, defaults={"content": content, "due_at": due_at})
        if created:
            transaction.on_commit(lambda: dispatch_due(ids=[delivery.id]))
        return delivery
    except Exception:  # noqa: BLE001 - logged; the beat task has nothing to pick up, but the post stands
        logger.exception("could not create the first comment delivery of target %s", target.id)
        return None


def _comment_of(target):
    """(content, delay_seconds) of the target's post's first comment, or None. The engine loads it with
    the batch (publish_batch's select_related), so a publish costs no query for it; otherwise one."""
    post_field, comment_rel = PostTarget._meta.get_field("post"), Post._meta.get_field("first_comment")
    if post_field.is_cached(target) and comment_rel.is_cached(target.post):
        comment = comment_rel.get_cached_value(target.post)
        return None if comment is None else (comment.content, comment.delay_seconds)
    return FirstComment.objects.filter(post_id=target.post_id).values_list("content", "delay_seconds").first()


# --- dispatch --------------------------------------------------------------------------------
def _enqueue(delivery_id, eta):
    from .tasks import deliver_first_comment_task

    deliver_first_comment_task.apply_async(args=[delivery_id], eta=eta)


def dispatch_due(*, now=None, ids=None, enqueue=None):
    """Hand every pending, undispatched delivery due within the look-ahead window to the default queue
    with an ETA of its due time (never further: a long ETA would outlive the broker's visibility
    timeout). Rows are taken with SKIP LOCKED and marked in the same transaction. Returns the count."""
    now = now or timezone.now()
    enqueue = enqueue or _enqueue
    horizon = now + timedelta(seconds=settings.DISPATCH_LOOKAHEAD_SECONDS)
    with transaction.atomic():
        rows = FirstCommentDelivery.objects.select_for_update(skip_locked=True).filter(
            status=D.PENDING, dispatched_at__isnull=True, due_at__lte=horizon
        )
        if ids is not None:
            rows = rows.filter(id__in=ids)
        due = list(rows.order_by("due_at").values_list("id", "due_at")[:5000])
        if not due:
            return 0
        FirstCommentDelivery.objects.filter(id__in=[pk for pk, _ in due]).update(dispatched_at=now)

        def send():
            for pk, at in due:
                enqueue(pk, at if at > timezone.now() else None)

        transaction.on_commit(send)
    return len(due)


def sweep(*, now=None):
    """Repair what crashes leave: a dispatched delivery never claimed is dispatched again (a duplicate
    message finds nothing to claim); one stuck in `sending` (its worker died) is settled as an unknown
    outcome. Returns (redispatched, settled)."""
    now = now or timezone.now()
    lost_before = now - timedelta(seconds=settings.PUBLISH_LOST_DISPATCH_SECONDS)
    redispatched = FirstCommentDelivery.objects.filter(
        status=D.PENDING, dispatched_at__lt=lost_before, due_at__lt=lost_before
    ).update(dispatched_at=None)
    stuck_before = now - timedelta(seconds=max(settings.PUBLISH_STUCK_AFTER_SECONDS, 3 * settings.PUBLISH_HEARTBEAT_SECONDS))
    settled = 0
    for delivery_id, claimed_at in FirstCommentDelivery.objects.filter(status=D.SENDING, claimed_at__lt=stuck_before).values_list("id", "claimed_at"):
        if not FirstCommentDelivery.objects.filter(id=delivery_id, status=D.SENDING, claimed_at=claimed_at).update(claimed_at=now):
            continue  # another sweeper took it
        delivery = _load(delivery_id)
        _settle_unknown(delivery, OutcomeUnknown("The worker posting this comment stopped before it finished."), None)
        settled += 1
    return redispatched, settled


def dispatch_and_sweep():
    redispatched, settled = sweep()
    return {"dispatched": dispatch_due(), "redispatched": redispatched, "settled": settled}


# --- deliver ---------------------------------------------------------------------------------
def delivery_claim(*, delivery_id, now=None):
    """Compare-and-set pending -> sending for a due delivery. True when this caller claimed it."""
    now = now or timezone.now()
    return bool(FirstCommentDelivery.objects.filter(
        id=delivery_id, status=D.PENDING, due_at__lte=now + timedelta(seconds=CLAIM_EARLY_SECONDS)
    ).update(status=D.SENDING, claimed_at=now, attempts=F("attempts") + 1))


def _load(delivery_id):
    return (FirstCommentDelivery.objects.select_related("target__post", "target__account")
            .defer("target__account__access_token", "target__account__refresh_token").get(id=delivery_id))


def delivery_send(*, delivery_id):
    """Claim and post one first comment. Returns the delivery's new status, or None when there was
    nothing to claim (a duplicate or early message, or a delivery already settled)."""
    if not delivery_claim(delivery_id=delivery_id):
        return None
    delivery = _load(delivery_id)
    wait = (delivery.due_at - timezone.now()).total_seconds()
    if wait > 0:  # claimed a moment early: post at its own second
        time.sleep(wait)
    adapter = None
    try:
        target = delivery.target
        if target.status != Status.POSTED:
            return _fail(delivery, PlatformError(DELETED_POST if target.status in (Status.DELETED, Status.DELETING)
                                                 else "The post is not published, so its first comment was not posted."))
        if not target.platform_post_id:
            return _fail(delivery, PlatformError("The post was confirmed by hand and its id on the network is unknown, "
                                                 "so its first comment could not be posted."))
        account = target.account
        if not account.is_active or account.needs_reconnect:
            raise AccountDisconnected(f"The {account.get_platform_display()} account @{account.platform_username} is disconnected; reconnect it and retry.")
        account_load_secrets(account=account)
        adapter = PlatformFactory.get_platform(account)
        if adapter.token_needs_refresh(REFRESH_BEFORE_PUBLISH_SECONDS):
            account = account_refresh_token(account_id=account.id)
            adapter = PlatformFactory.get_platform(account)
        if delivery.last_error_class == "OutcomeUnknown" and not adapter.idempotent_comment:
            found = _look_for(delivery, adapter)
            if found is not None:
                return _succeed(delivery, found)
        key = str(delivery.idempotency_key)
        try:
            result = adapter.comment(target, delivery.content, key=key)
        except TokenExpired:
            account = account_refresh_token(account_id=account.id)
            adapter = PlatformFactory.get_platform(account)
            result = adapter.comment(target, delivery.content, key=key)
    except OutcomeUnknown as exc:
        return _settle_unknown(delivery, exc, adapter)
    except (RateLimited, TransientError) as exc:
        return _retry_or_fail(delivery, exc)
    except (AccountDisconnected, TokenExpired) as exc:
        if delivery.target.account.is_active and not delivery.target.account.needs_reconnect:
            account_mark_disconnected(account=delivery.target.account, message=exc.message)
        return _fail(delivery, AccountDisconnected(exc.message, http_status=exc.http_status))
    except PlatformError as exc:
        if exc.http_status == 404 or getattr(exc, "meta_subcode", None) == 33:  # Graph: "Object ... does not exist"
            exc = PlatformError(DELETED_POST, http_status=exc.http_status)
        return _fail(delivery, exc)
    except Exception as exc:  # a bug must never leave a claimed delivery without a verdict
        logger.exception("unexpected error posting the first comment %s", delivery.id)
        return _settle_unknown(delivery, OutcomeUnknown(f"Unexpected error: {exc.__class__.__name__}"), adapter)
    return _succeed(delivery, result)


def _look_for(delivery, adapter):
    """After an earlier attempt's answer was lost, on a network that does not deduplicate: is the comment
    there? Raises OutcomeUnknown when the network cannot say, so nothing is sent blindly."""
    try:
        answer = adapter.find_comment(delivery.target, delivery.content, key=str(delivery.idempotency_key), since=delivery.claimed_at)
    except (RateLimited, TransientError) as exc:
        exc.outcome_still_unknown = True  # the retry must look again before it sends (_retry_or_fail)
        raise
    if answer.found is None and not answer.not_found:
        raise OutcomeUnknown("An earlier attempt may have posted this comment and the network cannot say.")
    return answer.found


# --- verdicts --------------------------------------------------------------------------------
def _set(delivery, **fields):
    """Write a verdict only while this worker still holds the claim."""
    changed = FirstCommentDelivery.objects.filter(id=delivery.id, status=D.SENDING).update(updated_at=timezone.now(), **fields)
    for name, value in fields.items():
        setattr(delivery, name, value)
    return changed


def _succeed(delivery, result: PublishResult):
    link, _note = post_link(result.url)
    _set(delivery, status=D.POSTED, platform_comment_id=result.platform_post_id[:255], url=link,
         posted_at=result.published_at or timezone.now(), error_message="", last_error_class="")
    logger.info("first comment %s of target %s posted", delivery.id, delivery.target_id)
    return D.POSTED


def _fail(delivery, exc):
    message = getattr(exc, "message", str(exc))
    _set(delivery, status=D.FAILED, error_message=message[:2000], last_error_class=exc.__class__.__name__)
    logger.info("first comment %s of target %s failed (%s)", delivery.id, delivery.target_id, exc.__class__.__name__)
    return D.FAILED


def _retry_or_fail(delivery, exc):
    if delivery.attempts >= settings.PUBLISH_MAX_ATTEMPTS:
        exc.message = f"{exc.message} Gave up after {delivery.attempts} attempts."
        return _fail(delivery, exc)
    delay = backoff_seconds(delivery.attempts)
    if isinstance(exc, RateLimited) and exc.retry_after:
        delay = max(delay, exc.retry_after)
    retry_at = timezone.now() + timedelta(seconds=delay)
    _set(delivery, status=D.PENDING, due_at=retry_at, dispatched_at=None, claimed_at=None,
         error_message=f"{exc.message} Retrying at {retry_at:%H:%M:%S} UTC."[:2000],
         last_error_class="OutcomeUnknown" if getattr(exc, "outcome_still_unknown", False) else exc.__class__.__name__)
    return D.PENDING


def _settle_unknown(delivery, exc, adapter):
    """The network may or may not have the comment. Ask it; retry only when a retry cannot duplicate."""
    if adapter is None:
        try:
            adapter = PlatformFactory.get_platform(delivery.target.account)
            account_load_secrets(account=delivery.target.account)
        except Exception:  # noqa: BLE001 - nothing can be asked
            adapter = None
    answer = None
    if adapter is not None:
        try:
            answer = adapter.find_comment(delivery.target, delivery.content, key=str(delivery.idempotency_key), since=delivery.claimed_at)
        except Exception:  # noqa: BLE001 - a failed look is simply "still unknown"
            logger.warning("looking for first comment %s failed", delivery.id, exc_info=True)
    if answer is not None and answer.found is not None:
        return _succeed(delivery, answer.found)
    if (answer is not None and answer.not_found) or (adapter is not None and adapter.idempotent_comment):
        return _retry_or_fail(delivery, exc)  # last_error_class stays "OutcomeUnknown": the next attempt looks first
    message = (f"{exc.message} We could not confirm whether the comment was posted, so it was not sent again. "
               "Check the post on the network.")
    _set(delivery, status=D.UNCONFIRMED, error_message=message[:2000], last_error_class=exc.__class__.__name__)
    return D.UNCONFIRMED


# --- staff -----------------------------------------------------------------------------------
@transaction.atomic
def delivery_retry(*, delivery):
    """Send a failed or unconfirmed first comment again now (admin action)."""
    changed = FirstCommentDelivery.objects.filter(id=delivery.id, status__in=[D.FAILED, D.UNCONFIRMED]).update(
        status=D.PENDING, due_at=timezone.now(), dispatched_at=None, claimed_at=None, error_message="", last_error_class="", attempts=0
    )
    if not changed:
        raise Conflict("Only a failed or unconfirmed first comment can be retried.")
    transaction.on_commit(lambda: dispatch_due(ids=[delivery.id]))
