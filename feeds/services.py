"""Feed subscriptions: create and change them (checked like every other outgoing address), poll them,
and turn each new item into one post.

Exactly once: an item is a FeedItem row unique on (subscription, item_key), inserted in the same
transaction as its post, before the post. A second poll, a poll after a restart or a poll running at
the same moment all insert the same key again: PostgreSQL makes the later insert wait for the first
transaction and then refuse it (IntegrityError), and that poll skips the item.

The first successful poll "primes" the subscription: the items already in the feed are recorded as
skipped (unless post_existing), so only items published after subscribing become posts.

Polling: conditional GET (ETag / Last-Modified; a 304 is a success with nothing new), each
subscription at its interval; an error is stored on the subscription and the next poll waits twice as
long each time (interval × 2^failures, at most MAX_BACKOFF), back to the interval after a success."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import APIException, ValidationError

from config import safe_http
from social_media.platforms import PlatformFactory
from social_media.services.posts import post_create
from social_media.services.queues import queue_add_post

from . import template as templates
from .fetch import FeedFetchError, fetch
from .models import DEFAULT_INTERVAL_MINUTES, DEFAULT_TEMPLATE, MIN_INTERVAL_MINUTES, FeedItem, FeedSubscription
from .parse import Entry, parse

logger = logging.getLogger(__name__)

MAX_INTERVAL_MINUTES = 7 * 24 * 60
MAX_BACKOFF = timedelta(hours=24)
CLAIM_LEASE = timedelta(minutes=10)  # a fanned-out poll that never ran is tried again after this
MAX_NEW_ITEMS_PER_POLL = 50  # more new items than this wait for the next poll, oldest first
MAX_POST_CHARACTERS = 5000  # Post.content


# --- subscriptions -----------------------------------------------------------------------------
def subscription_check(*, workspace, values: dict, current: FeedSubscription | None = None) -> dict:
    """Field errors for what the API, the admin or a command passes in; returns the values to save."""
    errors = {}
    if "url" in values:
        try:
            safe_http.check_url(values["url"])
        except (safe_http.BlockedAddress, safe_http.Unresolvable) as exc:
            errors["url"] = [exc.message]
    if "template" in values:
        try:
            templates.clean_template(values["template"])
        except ValidationError as exc:
            errors["template"] = exc.detail
    accounts = values.get("accounts")
    if accounts is not None:
        foreign = sorted(a.pk for a in accounts if a.workspace_id != workspace.pk)
        if foreign:
            errors["account_ids"] = [f"No connected account with id {', '.join(map(str, foreign))} in this workspace."]
    queue = values.get("queue", current.queue if current else None)
    if queue is not None and queue.workspace_id != workspace.pk:
        errors["queue_id"] = [f"No queue with id {queue.pk} in this workspace."]
    mode = values.get("mode", current.mode if current else FeedSubscription.Mode.DRAFT)
    # Where its posts go is checked when it is set, not on every change: a feed whose queue or accounts
    # were deleted since can still be paused (meanwhile each item's note says why it was not queued).
    placing = current is None or not {"mode", "queue", "accounts"}.isdisjoint(values)
    if placing and mode == FeedSubscription.Mode.QUEUE and queue is None:
        errors.setdefault("queue_id", ["Choose the queue its posts go to."])
    if placing and mode == FeedSubscription.Mode.DRAFT:
        has_accounts = bool(accounts) if accounts is not None else bool(current and current.accounts.exists())
        if not has_accounts:
            errors["account_ids"] = errors.get("account_ids") or ["Choose at least one account for its drafts."]
    interval = values.get("poll_interval_minutes")
    if interval is not None and not MIN_INTERVAL_MINUTES <= interval <= MAX_INTERVAL_MINUTES:
        errors["poll_interval_minutes"] = [f"Between {MIN_INTERVAL_MINUTES} and {MAX_INTERVAL_MINUTES} minutes."]
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def subscription_create(*, workspace, user=None, url, accounts=(), template=DEFAULT_TEMPLATE,
                        mode=FeedSubscription.Mode.DRAFT, queue=None, post_existing=False,
                        poll_interval_minutes=DEFAULT_INTERVAL_MINUTES, is_active=True) -> FeedSubscription:
    """Subscribe the workspace to a feed; it is first polled within a minute (beat's poll-due-feeds)."""
    accounts = list(accounts)
    subscription_check(workspace=workspace, values={
        "url": url, "accounts": accounts, "template": template, "mode": mode, "queue": queue,
        "poll_interval_minutes": poll_interval_minutes,
    })
    subscription = FeedSubscription.objects.create(
        workspace=workspace, created_by=user, url=url, template=template, mode=mode, queue=queue,
        post_existing=post_existing, poll_interval_minutes=poll_interval_minutes, is_active=is_active,
        next_poll_at=timezone.now(),
    )
    subscription.accounts.set(accounts)
    return subscription


@transaction.atomic
def subscription_update(*, subscription: FeedSubscription, changes: dict) -> FeedSubscription:
    """Change a subscription. A new URL is another feed: its conditional-GET state is dropped and its
    current items are skipped again (unless post_existing)."""
    subscription = FeedSubscription.objects.select_for_update().get(pk=subscription.pk)
    subscription_check(workspace=subscription.workspace, values=changes, current=subscription)
    changes = dict(changes)
    accounts = changes.pop("accounts", None)
    fields = set(changes)  # only these: a poll finishing meanwhile keeps what it wrote
    if "url" in changes and changes["url"] != subscription.url:
        subscription.etag, subscription.last_modified, subscription.primed, subscription.title = "", "", False, ""
        subscription.next_poll_at = timezone.now()
        fields |= {"etag", "last_modified", "primed", "title", "next_poll_at"}
    if changes.get("is_active") and not subscription.is_active:
        subscription.next_poll_at = timezone.now()
        fields.add("next_poll_at")
    for name, value in changes.items():
        setattr(subscription, name, value)
    if fields:
        subscription.save(update_fields=sorted(fields))
    if accounts is not None:
        subscription.accounts.set(accounts)
    return subscription


def subscription_delete(*, subscription: FeedSubscription) -> None:
    """Unsubscribe. The posts it made stay (drafts, queued or published); its FeedItem rows go with it."""
    FeedSubscription.objects.filter(pk=subscription.pk).delete()


# --- polling -----------------------------------------------------------------------------------
@dataclass
class PollResult:
    status: str  # "ok", "not_modified" or "error"
    new_items: int = 0
    posts_created: int = 0
    skipped_existing: int = 0
    error: str = ""


def poll_due(*, now=None, limit=200) -> list[int]:
    """Claim the active subscriptions whose time has come and queue one poll task each."""
    from .tasks import poll_feed_task

    now = now or timezone.now()
    with transaction.atomic():
        due = FeedSubscription.objects.filter(is_active=True, next_poll_at__lte=now).order_by("next_poll_at")
        ids = list(due.select_for_update(skip_locked=True).values_list("id", flat=True)[:limit])
        FeedSubscription.objects.filter(pk__in=ids).update(next_poll_at=now + CLAIM_LEASE)
    for pk in ids:
        poll_feed_task.delay(pk)
    return ids


def poll(*, subscription_id: int) -> PollResult:
    """Fetch the feed now and make posts of its new items."""
    subscription = FeedSubscription.objects.select_related("workspace", "queue").get(pk=subscription_id)
    try:
        fetched = fetch(subscription.url, etag=subscription.etag, last_modified=subscription.last_modified)
        if fetched.not_modified:
            _succeeded(subscription, {})
            return PollResult(status="not_modified")
        parsed = parse(fetched.body, url=fetched.url, content_type=fetched.content_type)
    except FeedFetchError as exc:
        _failed(subscription, exc.message)
        return PollResult(status="error", error=exc.message)
    result = _take_items(subscription, parsed)
    _succeeded(subscription, {"etag": fetched.etag, "last_modified": fetched.last_modified, "title": parsed.title or subscription.title})
    return result


def backoff(*, interval_minutes: int, failures: int) -> timedelta:
    """The wait after `failures` errors in a row: the interval doubled per error, at most MAX_BACKOFF."""
    return min(timedelta(minutes=interval_minutes) * (2 ** min(failures, 20)), MAX_BACKOFF)


def _succeeded(subscription, fields):
    now = timezone.now()
    FeedSubscription.objects.filter(pk=subscription.pk).update(
        last_polled_at=now, last_success_at=now, consecutive_failures=0, last_error="",
        next_poll_at=now + timedelta(minutes=subscription.poll_interval_minutes), **fields,
    )


@transaction.atomic
def _failed(subscription, message):
    now = timezone.now()
    current = FeedSubscription.objects.select_for_update().get(pk=subscription.pk)
    failures = current.consecutive_failures + 1
    FeedSubscription.objects.filter(pk=subscription.pk).update(
        last_polled_at=now, consecutive_failures=failures, last_error=message[:500],
        next_poll_at=now + backoff(interval_minutes=current.poll_interval_minutes, failures=failures),
    )
    logger.info("feed poll failed", extra={"subscription_id": subscription.pk, "failures": failures})


def _take_items(subscription, parsed) -> PollResult:
    entries = list({entry.key: entry for entry in parsed.entries}.values())  # a key twice in one document: once
    known = set(FeedItem.objects.filter(subscription=subscription, item_key__in=[e.key for e in entries]).values_list("item_key", flat=True))
    fresh = [entry for entry in entries if entry.key not in known]
    result = PollResult(status="ok", new_items=len(fresh))
    if not subscription.primed:
        with transaction.atomic():
            first = FeedSubscription.objects.filter(pk=subscription.pk, primed=False).update(primed=True)
            if first and not subscription.post_existing:
                FeedItem.objects.bulk_create(
                    [_item(subscription, entry, FeedItem.Outcome.SKIPPED) for entry in fresh], ignore_conflicts=True
                )
                result.skipped_existing, result.new_items = len(fresh), 0
                return result
    for entry in fresh[:MAX_NEW_ITEMS_PER_POLL]:
        if _post_item(subscription, entry, feed_title=parsed.title):
            result.posts_created += 1
    return result


def _item(subscription, entry: Entry, outcome) -> FeedItem:
    return FeedItem(subscription=subscription, item_key=entry.key, title=entry.title[:500], link=entry.link[:1000],
                    published_at=entry.published_at, outcome=outcome)


def _post_item(subscription, entry: Entry, *, feed_title: str) -> bool:
    """One item -> one post, or nothing when another poll already took it."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                item = _item(subscription, entry, FeedItem.Outcome.DRAFT)
                item.save()
        except IntegrityError:
            return False
        try:
            item.post, item.outcome, item.note = _make_post(subscription, entry, feed_title)
        except APIException as exc:  # the post itself could not be made: the item says why, and is not retried
            item.outcome, item.note = FeedItem.Outcome.FAILED, " ".join(_messages(exc.detail))[:2000]
        item.save(update_fields=["post", "outcome", "note"])
    return True


def _messages(detail) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _messages(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _messages(value)]
    return [str(detail)]


def _make_post(subscription, entry: Entry, feed_title: str):
    values = {"title": entry.title, "link": entry.link, "summary": entry.summary, "author": entry.author, "feed_title": feed_title}
    notes = []
    chosen = list(subscription.accounts.all())
    if not chosen and subscription.queue is not None:
        chosen = list(subscription.queue.target_accounts.all())
    accounts = [account for account in chosen if account.is_active]
    if len(accounts) < len(chosen):
        notes.append("Left out disconnected accounts: " + ", ".join(str(a) for a in chosen if not a.is_active) + ".")
    content, _ = templates.fit(subscription.template, values, lambda text: len(text) <= MAX_POST_CHARACTERS)
    custom = {}
    for account in accounts:
        adapter = PlatformFactory.get_platform(account)

        def fits(text, adapter=adapter):
            used, limit = adapter.text_usage(text)
            return limit is None or used <= limit

        text, shortened = templates.fit(subscription.template, values, fits)
        if text != content:
            custom[str(account.pk)] = text
        if shortened:
            notes.append(f"Shortened {' and '.join(shortened)} for {account} to fit its limit.")
    post = post_create(workspace=subscription.workspace, author=subscription.created_by, content=content,
                       accounts=accounts, custom_content=custom or None)
    if subscription.mode != FeedSubscription.Mode.QUEUE:
        return post, FeedItem.Outcome.DRAFT, " ".join(notes)
    if subscription.queue is None:
        return post, FeedItem.Outcome.DRAFT, " ".join([*notes, "Kept as a draft: the subscription's queue was deleted."])
    try:
        queue_add_post(queue=subscription.queue, post=post)
    except APIException as exc:  # invalid for a network, queue paused, plan's daily cap: a draft to fix
        return post, FeedItem.Outcome.DRAFT, " ".join([*notes, "Kept as a draft: " + " ".join(_messages(exc.detail))])
    return post, FeedItem.Outcome.QUEUED, " ".join(notes)
