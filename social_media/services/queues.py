"""Posting queues: a weekly timetable in the queue's time zone, and posts slotted into it.

A slot is a wall-clock time ("09:00" on Mondays) in the queue's IANA time zone, so its UTC instant
moves with daylight saving time: 09:00 Europe/Berlin is 07:00 UTC in summer and 08:00 UTC in winter.
Two wall-clock times need a rule:
  - a time that happens twice (autumn fall-back, e.g. 02:30 on the last Sunday of October in Berlin)
    means its first occurrence, before the clocks go back;
  - a time that does not exist (spring-forward gap, e.g. 02:30 on the last Sunday of March in Berlin)
    moves forward by the length of the gap (02:30 -> 03:30 local, 01:30 UTC), as a clock that was not
    changed would read it. If that lands on another slot of the same day, the two are one slot.
"""

import re
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from config.exceptions import Conflict
from config.sizes import MAX_ITEM_ERRORS, listing
from social_media.models import Post, PostQueue, PostTarget, QueuedPost, Status

from .posts import SCHEDULED_STATUSES, lock_post, post_schedule

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_SLOTS_PER_DAY = 48  # a post every half hour, all day
TIME_PATTERN = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
# Posts whose time no longer holds a slot: never scheduled, unscheduled, cancelled, failed.
SLOT_FREEING_STATUSES = (Status.DRAFT, Status.CANCELLED, Status.FAILED)
_zone_names = lru_cache(maxsize=1)(available_timezones)  # scans the tz database: ~10 ms a call


def clean_timezone(value):
    """The IANA zone name, or ValidationError."""
    if not isinstance(value, str) or value not in _zone_names():
        raise ValidationError([f"'{value}' is not an IANA time zone name, e.g. Europe/Berlin."])
    return value


def clean_posting_schedule(value):
    """{"monday": ["09:00", "15:00"], ...} with lower-case day names and HH:MM (24 h) times; returns it
    normalised (times sorted, duplicates dropped, days without times left out). Sizes are checked
    before any entry is looked at: at most 7 days, MAX_SLOTS_PER_DAY times a day."""
    if not isinstance(value, dict):
        raise ValidationError(['Expected an object like {"monday": ["09:00", "15:00"]}.'])
    if len(value) > len(DAYS):
        raise ValidationError([f"At most {len(DAYS)} days (one entry per day of the week); got {len(value):,}."])
    errors, cleaned = {}, {}
    for day, times in value.items():
        key = day.strip().lower() if isinstance(day, str) else day
        if key not in DAYS:
            errors[str(day)] = [f"Not a day of the week; use one of {', '.join(DAYS)}."]
            continue
        if not isinstance(times, list):
            errors[str(day)] = ['Expected a list of times like ["09:00", "15:00"].']
            continue
        if len(times) > MAX_SLOTS_PER_DAY:
            errors[str(day)] = [f"At most {MAX_SLOTS_PER_DAY} times a day; got {len(times):,}."]
            continue
        bad = [t for t in times if not isinstance(t, str) or not TIME_PATTERN.fullmatch(t)]
        if bad:
            errors[str(day)] = [f"'{t}' is not a time in 24-hour HH:MM form." for t in bad[:MAX_ITEM_ERRORS]]
            if len(bad) > MAX_ITEM_ERRORS:
                errors[str(day)].append(f"{len(bad) - MAX_ITEM_ERRORS} more times are not in HH:MM form.")
            continue
        if times:
            cleaned[key] = sorted(set(cleaned.get(key, [])) | set(times))
    if errors:
        raise ValidationError(errors)
    return {day: cleaned[day] for day in DAYS if day in cleaned}


def slot_instant(day, hhmm, zone):
    """UTC instant of wall-clock `hhmm` ("HH:MM") on local date `day` in `zone` (rules above)."""
    hour, minute = map(int, hhmm.split(":"))
    # fold=0 picks the first of two ambiguous instants; for a time inside a gap, zoneinfo applies the
    # offset from before the transition, which is exactly "move forward by the gap's length".
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def iter_slots(posting_schedule, zone_name, *, after):
    """The queue's slots strictly after `after`, in time order, as UTC datetimes (endless)."""
    zone = ZoneInfo(zone_name)
    if not any(posting_schedule.get(day) for day in DAYS):
        return
    week_start = after.astimezone(zone).date() - timedelta(days=1)
    last = after
    while True:
        week = set()
        for offset in range(7):
            day = week_start + timedelta(days=offset)
            for hhmm in posting_schedule.get(DAYS[day.weekday()], ()):
                week.add(slot_instant(day, hhmm, zone))
        for instant in sorted(week):
            if instant > last:
                last = instant
                yield instant
        week_start += timedelta(days=7)


def taken_slots(queue, *, exclude_post=None):
    posts = Post.objects.filter(queue_entry__queue=queue, scheduled_time__isnull=False).exclude(status__in=SLOT_FREEING_STATUSES)
    if exclude_post is not None:
        posts = posts.exclude(pk=exclude_post.pk)
    return set(posts.values_list("scheduled_time", flat=True))


def next_free_slot(queue, *, after=None, exclude_post=None):
    """The queue's first slot after `after` (default now) that no other post of the queue holds."""
    after = after or timezone.now()
    try:  # the admin can save a queue without the API's validation
        clean_timezone(queue.timezone)
    except ValidationError as exc:
        raise ValidationError({"timezone": exc.detail}) from None
    try:
        schedule = clean_posting_schedule(queue.posting_schedule or {})
    except ValidationError as exc:
        raise ValidationError({"posting_schedule": exc.detail}) from None
    taken = taken_slots(queue, exclude_post=exclude_post)
    for instant in iter_slots(schedule, queue.timezone, after=after):
        if instant not in taken:
            return instant
    raise ValidationError({"posting_schedule": ["The queue has no posting times."]})


def _renumber(queue):
    """Positions 1..n in the order the queue's posts go out (unscheduled ones last)."""
    entries = list(
        QueuedPost.objects.filter(queue=queue).order_by(F("post__scheduled_time").asc(nulls_last=True), "post_id")
    )
    for position, entry in enumerate(entries, start=1):
        entry.position = position
    QueuedPost.objects.bulk_update(entries, ["position"])


def _lock_queue(queue):
    """One slot-picker per queue at a time."""
    queue.refresh_from_db(from_queryset=PostQueue.objects.select_for_update())


@transaction.atomic
def queue_add_post(*, queue, post, actor=None):
    """Put a draft post in the queue's next free slot and schedule it there (or submit it for approval
    there: post_schedule decides for `actor`). A post without targets gets the queue's active accounts."""
    _lock_queue(queue)
    if post.workspace_id != queue.workspace_id:
        raise ValidationError({"post_id": ["No post with this id in this workspace."]})
    if not queue.is_active:
        raise Conflict("This queue is paused; activate it before adding posts.")
    lock_post(post)
    if post.status != Status.DRAFT:
        raise Conflict(f"Only a draft post can be added to a queue; this one is {post.status}.")
    if not PostTarget.objects.filter(post_id=post.pk).exists():
        accounts = list(queue.target_accounts.filter(is_active=True).order_by("id"))
        if not accounts:
            raise ValidationError({"post_id": ["The post has no accounts and the queue has no active ones."]})
        PostTarget.objects.bulk_create(PostTarget(post=post, account=account) for account in accounts)
    slot = next_free_slot(queue, exclude_post=post)
    QueuedPost.objects.update_or_create(post=post, defaults={"queue": queue, "position": 0})
    post_schedule(post=post, at=slot, actor=actor)
    _renumber(queue)
    return post


def queue_pending_posts(queue):
    """The queue's posts that still wait for their slot, in time order."""
    return list(
        Post.objects.filter(
            queue_entry__queue=queue, status__in=SCHEDULED_STATUSES, scheduled_time__gt=timezone.now()
        ).order_by("scheduled_time", "id")
    )


@transaction.atomic
def queue_reorder(*, queue, post_ids, actor=None):
    """Give the queue's waiting posts its already-taken slots in the order of `post_ids`, which must
    name each waiting post exactly once."""
    _lock_queue(queue)
    posts = queue_pending_posts(queue)
    by_id = {p.pk: p for p in posts}
    if len(post_ids) != len(set(post_ids)) or set(post_ids) != set(by_id):
        expected = listing(by_id) or "none"
        raise ValidationError({"post_ids": [f"List each of the queue's waiting posts exactly once (ids: {expected})."]})
    slots = [p.scheduled_time for p in posts]
    for post_id, slot in zip(post_ids, slots):
        post = by_id[post_id]
        if post.scheduled_time != slot:
            post_schedule(post=post, at=slot, actor=actor)
    _renumber(queue)
    return queue


@transaction.atomic
def queue_save(*, workspace, queue=None, name, description="", accounts=(), posting_schedule, timezone_name="UTC", is_active=True):
    """Create (queue=None) or edit a queue of `workspace`: the timetable and zone are cleaned as the
    API cleans them; accounts must be active accounts of the workspace."""
    errors = {}
    try:
        timezone_name = clean_timezone(timezone_name)
    except ValidationError as exc:
        errors["timezone"] = exc.detail
    try:
        posting_schedule = clean_posting_schedule(posting_schedule)
    except ValidationError as exc:
        errors["posting_schedule"] = exc.detail
    foreign = [a.pk for a in accounts if a.workspace_id != workspace.pk or not a.is_active]
    if foreign:
        errors["target_accounts"] = [f"No active connected account with id {', '.join(map(str, foreign))} in this workspace."]
    if errors:
        raise ValidationError(errors)
    if queue is None:
        queue = PostQueue(workspace=workspace)
    elif queue.workspace_id != workspace.pk:
        raise ValidationError({"queue": ["No such queue in this workspace."]})
    queue.name, queue.description, queue.posting_schedule = name, description, posting_schedule
    queue.timezone, queue.is_active = timezone_name, is_active
    queue.save()
    queue.target_accounts.set(accounts)
    return queue


# A new account's weekly schedule (as Buffer gives each new channel one): three times every day, in the
# time zone of the person who connected it. They change or remove it on the Queues page.
DEFAULT_POSTING_TIMES = ["09:00", "13:00", "17:00"]


def default_queue_create(*, account, timezone_name="UTC"):
    """Give a newly connected `account` its own posting schedule, a queue of that account alone, unless
    some queue of its workspace already posts to it. Returns the queue created, or None."""
    from social_media.platforms import PLATFORMS

    if PostQueue.objects.filter(workspace_id=account.workspace_id, target_accounts=account).exists():
        return None
    try:
        timezone_name = clean_timezone(timezone_name)
    except ValidationError:
        timezone_name = "UTC"
    label = PLATFORMS.get(account.platform, (account.platform,))[0]
    queue = PostQueue.objects.create(
        workspace_id=account.workspace_id, name=f"{label} @{account.platform_username}",
        description="The schedule this account got when it was connected; change its times as you like.",
        posting_schedule={day: list(DEFAULT_POSTING_TIMES) for day in DAYS}, timezone=timezone_name,
    )
    queue.target_accounts.add(account)
    return queue


def upcoming_free_slots(queue, *, count=5, after=None):
    """The queue's next `count` slots no post holds yet (fewer when it has no posting times)."""
    after = after or timezone.now()
    taken = taken_slots(queue)
    free = []
    for instant in iter_slots(clean_posting_schedule(queue.posting_schedule or {}), queue.timezone, after=after):
        if instant not in taken:
            free.append(instant)
            if len(free) == count:
                break
    return free
