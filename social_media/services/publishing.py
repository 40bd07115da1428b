"""The publishing engine: dispatch due targets, claim one atomically, publish it once, record every
attempt, retry only what is safe to retry, and settle what is unknown by asking the network.

Life of a target (statuses from social_media.models.Status):

    scheduled --dispatch--> scheduled + dispatched_at --claim (CAS)--> publishing --> posted
                                                                                 \\-> scheduled (retry later)
                                                                                 \\-> failed / unconfirmed

* Dispatch hands a target to the broker at most DISPATCH_LOOKAHEAD_SECONDS before it is due, with an
  ETA of its exact time. ETAs are therefore always seconds away, far below Redis' visibility timeout,
  so the broker never redelivers a message merely because it waited.
* The claim is a compare-and-set (`scheduled` and dispatched and due -> `publishing`); a duplicate or
  stale message finds nothing to claim and does nothing.
* A publish whose outcome is unknown is reconciled with the network; when that cannot settle it and the
  network has no idempotency (X), the target becomes `unconfirmed` instead of being posted again.
"""

import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection, connections, transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from config import log_context, metrics
from social_media.models import PostMedia, PostTarget, PublishAttempt, Status, without_secrets
from social_media.platforms import PlatformFactory
from social_media.platforms.base import (
    AccountDisconnected,
    InvalidContent,
    OutcomeUnknown,
    PlatformError,
    PublishResult,
    RateLimited,
    TokenExpired,
    TransientError,
)

from . import ratelimit
from .links import post_link
from .threads import publish_thread, settle_thread, thread_parts_of
from .tokens import account_load_secrets, account_mark_disconnected, account_refresh_token, stored_secrets
from .validation import media_items_for

logger = logging.getLogger(__name__)

# Refresh a token before publishing when it expires within this many seconds.
REFRESH_BEFORE_PUBLISH_SECONDS = 300
# A rate-limit wait shorter than this is slept inside the task; a longer one reschedules the target.
MAX_INLINE_WAIT_SECONDS = 2.0
# A target may be claimed this long before it is due (its batch's first target is due); it is still
# published at its own second.
CLAIM_EARLY_SECONDS = 1.0


@dataclass
class Outcome:
    status: str
    message: str = ""


# --- dispatch -------------------------------------------------------------------------------
def dispatch_batches(due):
    """Group (id, due_at) rows, sorted by time, into runs of at most BATCH_SIZE targets falling due
    within BATCH_WINDOW_SECONDS of the run's first: one broker message per run, not per target."""
    batch, first = [], None
    for target_id, at in due:
        if batch and (len(batch) >= settings.PUBLISH_BATCH_SIZE or (at - first).total_seconds() >= settings.PUBLISH_BATCH_WINDOW_SECONDS):
            yield batch, first
            batch = []
        if not batch:
            first = at
        batch.append(target_id)
    if batch:
        yield batch, first


def dispatch_targets(*, status, enqueue, now=None, limit=20000):
    """Hand every target in `status` due within the look-ahead window to `enqueue(target_ids, eta)`,
    in small batches with an ETA of the batch's first due time (each target is then handled at its own
    second). Returns the number dispatched. Safe to run concurrently: rows are taken with SKIP LOCKED
    and marked dispatched in the same transaction; messages go out once it commits."""
    now = now or timezone.now()
    horizon = now + timedelta(seconds=settings.DISPATCH_LOOKAHEAD_SECONDS)
    with transaction.atomic():
        due = list(
            PostTarget.objects.select_for_update(skip_locked=True)
            .filter(status=status, dispatched_at__isnull=True, next_attempt_at__lte=horizon)
            .order_by("next_attempt_at")
            .values_list("id", "next_attempt_at")[:limit]
        )
        if not due:
            return 0
        PostTarget.objects.filter(id__in=[target_id for target_id, _ in due]).update(dispatched_at=now)

        def send():
            for target_ids, at in dispatch_batches(due):
                enqueue(target_ids, at if at > timezone.now() else None)

        transaction.on_commit(send)
    return len(due)


def dispatch_due(*, now=None, limit=20000, enqueue=None):
    """Hand every scheduled target due within the look-ahead window to the posting queue."""
    from social_media.tasks import publish_targets_task

    enqueue = enqueue or (lambda target_ids, eta: publish_targets_task.apply_async(args=[target_ids], eta=eta))
    return dispatch_targets(status=Status.SCHEDULED, enqueue=enqueue, now=now, limit=limit)


def targets_make_due_now(*, target_ids, enqueue=True):
    """Make scheduled targets due now and mark them dispatched (publish-now, admin, `publish_target`);
    with `enqueue`, send them to the posting queue as one batch once the transaction commits.
    Returns the ids changed."""
    from social_media.tasks import publish_targets_task

    now = timezone.now()
    with transaction.atomic():
        ids = list(PostTarget.objects.filter(id__in=target_ids, status=Status.SCHEDULED).values_list("id", flat=True))
        PostTarget.objects.filter(id__in=ids, status=Status.SCHEDULED).update(next_attempt_at=now, dispatched_at=now)
        if ids and enqueue:
            transaction.on_commit(lambda: publish_targets_task.delay(ids))
    return ids


# --- claim ----------------------------------------------------------------------------------
def targets_claim(*, target_ids, now=None):
    """Compare-and-set scheduled -> publishing for the targets due within a second. Rows are locked
    (waiting for, then re-checking after, any edit or cancel in progress), so each target is claimed
    by exactly one caller. Returns the ids this caller claimed."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            PostTarget.objects.select_for_update()
            .filter(id__in=target_ids, status=Status.SCHEDULED, dispatched_at__isnull=False,
                    next_attempt_at__lte=now + timedelta(seconds=CLAIM_EARLY_SECONDS))
            .order_by("id")
            .values_list("id", flat=True)
        )
        if ids:
            PostTarget.objects.filter(id__in=ids).update(
                status=Status.PUBLISHING, claimed_at=now, heartbeat_at=now, last_attempt_at=now, retry_count=F("retry_count") + 1
            )
    return ids


# --- publish --------------------------------------------------------------------------------
_pool = None
_pool_lock = threading.Lock()


def executor():
    """One thread pool per worker process: its threads keep their database connections."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=settings.PUBLISH_THREADS, thread_name_prefix="publish")
    return _pool


def shutdown_executor():
    """Stop the pool, closing each of its threads' database connections (worker shutdown, tests)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is None:
        return
    threads = len(pool._threads)
    barrier = threading.Barrier(threads)

    def close():
        barrier.wait(timeout=10)  # one job per thread, so every thread closes its own connection
        connections.close_all()

    for _ in range(threads):
        pool.submit(close)
    pool.shutdown(wait=True)


def publish_batch(*, target_ids):
    """Claim the targets and publish each at its own due time, concurrently, on this process's
    thread pool. Returns {id: Outcome} for the targets this call claimed (none for cancelled, taken,
    duplicate or early ones)."""
    from .posts import posts_refresh_status

    claimed = targets_claim(target_ids=target_ids)
    if not claimed:
        return {}
    targets = list(  # tokens are read as stored and decrypted per target: one undecryptable is that target's error
        without_secrets(PostTarget.objects.select_related("post", "account", "post__first_comment"), "account")
        .annotate(**stored_secrets("account"))
        .prefetch_related(Prefetch("post__post_media", queryset=PostMedia.objects.select_related("media")), "post__thread_parts")
        .filter(id__in=claimed)
    )
    attempts = attempts_start(targets)
    futures = {}
    try:
        # Each target goes to a thread at its own second, not before: a thread sleeping until its
        # target is due would be a thread that a due target of another batch cannot have.
        for target, attempt in sorted(zip(targets, attempts), key=lambda pair: _seconds_until(pair[0])):
            wait_seconds = _seconds_until(target)
            if wait_seconds > 0:
                time.sleep(wait_seconds)
            futures[executor().submit(_publish_one, target, attempt)] = target
        pending = set(futures)
        while pending:
            # Heartbeat: a long upload keeps its claim fresh, so the sweeper never mistakes it for
            # the claim of a dead worker.
            _done, pending = wait(pending, timeout=settings.PUBLISH_HEARTBEAT_SECONDS)
            if pending:
                PostTarget.objects.filter(id__in=[futures[f].id for f in pending], status=Status.PUBLISHING).update(
                    heartbeat_at=timezone.now()
                )
    finally:
        posts_refresh_status(post_ids={target.post_id for target in targets})
        from webhooks.events import targets_settled

        targets_settled([target.id for target in targets])  # webhooks of the verdicts (never raises)
    return {futures[future].id: future.result() for future in futures}


def target_publish(*, target_id):
    """Claim and publish one target. Returns the Outcome, or None when there was nothing to claim."""
    return publish_batch(target_ids=[target_id]).get(target_id)


def attempts_start(targets):
    """One attempt row per claimed target, written for the whole batch in one statement before any of
    them is sent: a worker that dies mid-call leaves the sweeper an unfinished attempt whose start
    bounds where the network is searched. Each attempt's start is set again when it really starts."""
    now = timezone.now()
    return PublishAttempt.objects.bulk_create(
        [PublishAttempt(target=target, attempt_number=target.retry_count, started_at=now) for target in targets]
    )


def _seconds_until(target):
    """Seconds until the target is due (negative once it is; 0 for one due now)."""
    return (target.next_attempt_at - timezone.now()).total_seconds() if target.next_attempt_at else 0.0


def _publish_one(target, attempt):
    """On a publish thread, from the target's second (publish_batch hands it over then)."""
    close_old_connections()
    attempt.started_at = timezone.now()
    with log_context.bound(workspace_id=target.post.workspace_id, post_id=target.post_id, target_id=target.id, attempt_id=attempt.id):
        try:
            return _publish_claimed(target, attempt)
        except Exception as exc:  # a bug must never leave a claimed target without a verdict
            logger.exception("unexpected error publishing target %s", target.id)
            return settle_unknown(target, attempt, OutcomeUnknown(f"Unexpected error: {exc.__class__.__name__}"))


def _publish_claimed(target, attempt):
    account = target.account
    if not account.is_active or account.needs_reconnect:
        return _fail(target, attempt, AccountDisconnected(
            f"The {account.get_platform_display()} account @{account.platform_username} is disconnected; reconnect it and retry."
        ))
    try:
        account_load_secrets(account=account, stored_on=target)
    except AccountDisconnected as exc:
        return _fail(target, attempt, exc)
    adapter = PlatformFactory.get_platform(account)
    try:
        if adapter.token_needs_refresh(REFRESH_BEFORE_PUBLISH_SECONDS):
            account = account_refresh_token(account_id=account.id)
            adapter = PlatformFactory.get_platform(account)
        wait = _take_rate_token(adapter, account)
        if wait:
            raise RateLimited("Posting limit for this account reached; waiting for the next free slot.", retry_after=wait, http_status=None)
        parts = thread_parts_of(target.post)  # a thread: services/threads.py publishes and records each part
        if not adapter.idempotent_publish and target.retry_count > 1 and not parts:
            found = _found_after_earlier_unknown(target, adapter)
            if found is not None:
                return _succeed(target, attempt, found)
        media = media_items_for(target.post, target)  # renditions; the adapter validates before any network call
        metrics.observe_lateness(account.platform, target.next_attempt_at)
        try:
            result = _send(target, adapter, account, media, parts)
        except TokenExpired:
            account = account_refresh_token(account_id=account.id)
            adapter = PlatformFactory.get_platform(account)
            result = _send(target, adapter, account, media, parts)
    except OutcomeUnknown as exc:
        return settle_unknown(target, attempt, exc, adapter)
    except (RateLimited, TransientError) as exc:
        return _retry_or_fail(target, attempt, exc)
    except AccountDisconnected as exc:
        account_mark_disconnected(account=account, message=exc.message)
        return _fail(target, attempt, exc)
    except TokenExpired as exc:
        account_mark_disconnected(account=account, message=exc.message)
        return _fail(target, attempt, AccountDisconnected(exc.message, http_status=exc.http_status))
    except PlatformError as exc:  # InvalidContent and anything else permanent
        return _fail(target, attempt, exc)
    return _succeed(target, attempt, result)


def _send(target, adapter, account, media, parts):
    if not parts:
        return adapter.publish(target, target.content, media)

    def take_token():  # each part is a post against the account's posting limit
        wait = _take_rate_token(adapter, account)
        if wait:
            raise RateLimited("Posting limit for this account reached; waiting for the next free slot.", retry_after=wait, http_status=None)

    return publish_thread(target, adapter, media, parts, before_send=take_token)


def _found_after_earlier_unknown(target, adapter):
    """Before sending again to a network without idempotency after an attempt whose outcome was
    unknown, look for the post once more, from when that attempt started: its answer can lag (X's
    timeline), so the "not found" that allowed this retry may have been premature. Raises
    OutcomeUnknown when the network cannot say, so nothing is sent blindly."""
    earlier = PublishAttempt.objects.filter(target=target, error_class="OutcomeUnknown").order_by("started_at").first()
    if earlier is None:
        return None
    claimed_at, target.claimed_at = target.claimed_at, earlier.started_at
    try:
        answer = adapter.reconcile(target)
    finally:
        target.claimed_at = claimed_at
    if answer.found is None and not answer.not_found:
        raise OutcomeUnknown("An earlier attempt may have published this post and the network cannot say.")
    return answer.found


def _take_rate_token(adapter, account):
    capacity, per_seconds = adapter.posting_rate
    waited = 0.0
    while True:
        wait = ratelimit.take(account_id=account.id, capacity=capacity, per_seconds=per_seconds)
        if not wait:
            return 0.0
        if waited + wait > MAX_INLINE_WAIT_SECONDS:
            return wait
        time.sleep(wait)
        waited += wait


# --- verdicts -------------------------------------------------------------------------------
ATTEMPT_FINISH_FIELDS = ("finished_at", "outcome", "error_class", "http_status", "message")


def _finish(attempt, outcome, exc=None, message=""):
    attempt.finished_at = timezone.now()
    attempt.outcome = outcome
    if exc is not None:
        attempt.error_class = exc.__class__.__name__
        attempt.http_status = getattr(exc, "http_status", None)
        attempt.message = getattr(exc, "message", str(exc))[:2000]
    elif message:
        attempt.message = message


def _finished(attempt):
    metrics.count_outcome(attempt.target.account.platform, attempt.outcome, attempt.error_class)
    logger.info("publish attempt %s of target %s: %s%s", attempt.pk, attempt.target_id, attempt.outcome,
                f" ({attempt.error_class})" if attempt.error_class else "")


def finish_attempt(attempt, outcome, exc=None, message=""):
    _finish(attempt, outcome, exc, message)
    attempt.save(update_fields=list(ATTEMPT_FINISH_FIELDS))
    _finished(attempt)


def _set_clause(model, fields):
    """`"col" = %s, ...` and its parameters, as the fields' own save preparation makes them."""
    columns, params = [], []
    for name, value in fields.items():
        field = model._meta.get_field(name)
        columns.append(f"{connection.ops.quote_name(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    return ", ".join(columns), params


def _verdict(target, attempt, outcome, exc=None, message="", **fields):
    """Write the target's verdict, only while this worker still holds the claim, and finish its attempt,
    in one statement (one round trip and one commit a post, not two). PostgreSQL runs a data-modifying
    WITH to completion whether or not the main statement reads it. (The caller refreshes the post's
    status afterwards, once per batch.)"""
    _finish(attempt, outcome, exc, message)
    target_set, target_params = _set_clause(PostTarget, fields)
    attempt_set, attempt_params = _set_clause(PublishAttempt, {name: getattr(attempt, name) for name in ("started_at", *ATTEMPT_FINISH_FIELDS)})
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH verdict AS (UPDATE {PostTarget._meta.db_table} SET {target_set} WHERE id = %s AND status = %s) "
            f"UPDATE {PublishAttempt._meta.db_table} SET {attempt_set} WHERE id = %s",
            [*target_params, target.id, Status.PUBLISHING, *attempt_params, attempt.id],
        )
    for name, value in fields.items():
        setattr(target, name, value)
    _finished(attempt)


def _succeed(target, attempt, result: PublishResult):
    link, note = post_link(result.url)  # only an http(s) link is stored; anything else leaves a note
    _verdict(
        target, attempt, PublishAttempt.Outcome.SUCCESS, message=link or note,
        status=Status.POSTED,
        platform_post_id=result.platform_post_id,
        platform_post_url=link,
        posted_at=result.published_at or timezone.now(),
        error_message=note,
    )
    from first_comments.services import delivery_create_for  # the post's first comment, if it has one

    delivery_create_for(target=target)
    return Outcome(Status.POSTED)


def _fail(target, attempt, exc):
    message = getattr(exc, "message", str(exc))
    if isinstance(exc, InvalidContent) and len(exc.errors) > 1:
        message = " ".join(exc.errors)
    _verdict(target, attempt, PublishAttempt.Outcome.FAILED, exc, status=Status.FAILED, error_message=message)
    return Outcome(Status.FAILED, message)


def backoff_seconds(attempt_number):
    """Exponential backoff with full jitter: base * 2^(n-1), jittered between 50% and 100%."""
    ceiling = settings.PUBLISH_BACKOFF_BASE_SECONDS * (2 ** max(0, attempt_number - 1))
    return ceiling * random.uniform(0.5, 1.0)


def _retry_or_fail(target, attempt, exc):
    if target.retry_count >= settings.PUBLISH_MAX_ATTEMPTS:
        exc.message = f"{exc.message} Gave up after {target.retry_count} attempts."
        return _fail(target, attempt, exc)
    delay = backoff_seconds(target.retry_count)
    if isinstance(exc, RateLimited) and exc.retry_after:
        delay = max(delay, exc.retry_after + random.uniform(0, 1))
    retry_at = timezone.now() + timedelta(seconds=delay)
    _verdict(
        target, attempt, PublishAttempt.Outcome.RETRY, exc,
        status=Status.SCHEDULED,
        next_attempt_at=retry_at,
        dispatched_at=None,
        claimed_at=None,
        error_message=f"{exc.message} Retrying at {retry_at:%H:%M:%S} UTC.",
    )
    return Outcome(Status.SCHEDULED, exc.message)


def settle_unknown(target, attempt, exc, adapter=None):
    """The network may or may not have the post. Ask it; retry only when a retry cannot duplicate."""
    if adapter is None:
        try:
            adapter = PlatformFactory.get_platform(target.account)
        except Exception:  # noqa: BLE001 - no adapter means nothing can be asked
            adapter = None
    if adapter is not None and thread_parts_of(target.post):
        return _settle_thread_unknown(target, attempt, exc, adapter)
    answer = None
    if adapter is not None:
        try:
            answer = adapter.reconcile(target)
        except Exception:  # noqa: BLE001 - a failed reconcile is simply "still unknown"
            logger.warning("reconcile failed for target %s", target.id, exc_info=True)
    if answer is not None and answer.found is not None:
        return _succeed(target, attempt, answer.found)
    if (answer is not None and answer.not_found) or (adapter is not None and adapter.idempotent_publish):
        return _retry_or_fail(target, attempt, exc)  # the attempt row keeps "OutcomeUnknown"
    message = (
        f"{exc.message} We could not confirm whether the post was published, so it was not sent again. "
        "Check the account and resolve this target."
    )
    _verdict(target, attempt, PublishAttempt.Outcome.UNCONFIRMED, exc, status=Status.UNCONFIRMED, error_message=message)
    return Outcome(Status.UNCONFIRMED, message)


def _settle_thread_unknown(target, attempt, exc, adapter):
    """settle_unknown for a thread: every part found -> posted; the first missing part safe to send
    again -> retried (recorded parts are skipped); otherwise `unconfirmed`."""
    head, complete, safe, where = settle_thread(target, adapter)
    if complete:
        return _succeed(target, attempt, head)
    if safe:
        return _retry_or_fail(target, attempt, exc)
    message = (
        f"{exc.message} We could not confirm whether {where} of the thread was published, so it was not sent again. "
        "Check the account and resolve this target."
    )
    _verdict(target, attempt, PublishAttempt.Outcome.UNCONFIRMED, exc, status=Status.UNCONFIRMED, error_message=message)
    return Outcome(Status.UNCONFIRMED, message)
