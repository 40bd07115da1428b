"""Threads (multi-part posts) in the publishing engine: each part published in order, exactly once.

A post's thread is its own content (part 0, or a target's custom content) followed by its ThreadParts
(positions 1, 2, ...). For each target the engine publishes part 0 with `adapter.publish`, then every
later part with `adapter.publish_part` as a reply to the part before, and records each part the network
confirmed in a TargetPartPublication row at once (its own committed write), before sending the next.
So whatever kills a worker, a target taken up again knows which parts are out:

* a recorded part is never sent again;
* the first unrecorded part may or may not have reached the network (the worker died after sending).
  On networks with idempotency (Bluesky record keys, Mastodon Idempotency-Key, both derived from the
  target and the part's position) sending it again cannot duplicate it. Elsewhere (X, Threads) it is
  reconciled first (`adapter.reconcile_part`): found -> recorded, not there -> sent, unknown ->
  OutcomeUnknown, so the target becomes `unconfirmed` instead of posting the part twice.

The target is `posted` only once every part is out; its platform_post_id/url are the head's (part 0),
set as soon as the head is recorded, so a thread that fails half way still links to what is live.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager

from django.db.models import Min
from django.utils import timezone

from media.models import MediaFile
from media.targets import media_fit, prepared_media
from social_media.models import PostTarget, PublishAttempt, Status, TargetPartPublication, ThreadPart
from social_media.platforms.base import InvalidContent, OutcomeUnknown, PlatformError, PublishResult, ThreadReply

from .links import post_link

logger = logging.getLogger(__name__)


def thread_parts_of(post) -> list[ThreadPart]:
    """The post's parts after the first, in order (prefetched by the engine: no query then)."""
    if "thread_parts" in getattr(post, "_prefetched_objects_cache", {}):
        return sorted(post.thread_parts.all(), key=lambda part: part.position)
    return list(ThreadPart.objects.filter(post_id=post.pk).order_by("position"))


def recorded_parts(target) -> dict[int, PublishResult]:
    return {
        row.position: PublishResult(row.platform_post_id, row.platform_post_url, row.posted_at)
        for row in TargetPartPublication.objects.filter(target_id=target.pk)
    }


def record_part(target, position: int, result: PublishResult) -> PublishResult:
    """Write down that part `position` is on the network: a fact, recorded whoever holds the claim (a
    second writer of the same part finds the row there and keeps it)."""
    link, _note = post_link(result.url)
    TargetPartPublication.objects.bulk_create(
        [TargetPartPublication(
            target_id=target.pk, position=position, platform_post_id=result.platform_post_id,
            platform_post_url=link, posted_at=result.published_at or timezone.now(),
        )],
        ignore_conflicts=True,
    )
    if position == 0:  # the thread's head is the target's post, whatever happens to the later parts
        PostTarget.objects.filter(id=target.pk, status=Status.PUBLISHING).update(platform_post_id=result.platform_post_id, platform_post_url=link)
    return result


def part_media_files(part: ThreadPart, workspace_id) -> list[MediaFile]:
    """A part's media files in its order (files of the post's workspace only)."""
    ids = [int(i) for i in part.media_ids or []]
    if not ids:
        return []
    found = {m.pk: m for m in MediaFile.objects.filter(pk__in=ids, workspace_id=workspace_id)}
    return [found[i] for i in ids if i in found]


def part_media(target, part: ThreadPart):
    """A part's attachments as the target's network gets them (its renditions)."""
    files = part_media_files(part, target.post.workspace_id)
    if not files:
        return []
    items, problems, _pending = prepared_media(None, target.account, fit=media_fit(target), make_video=True, media_files=files)
    if problems:
        raise InvalidContent(" ".join(problems), errors=problems)
    return items


# --- editing ----------------------------------------------------------------------------------
MAX_THREAD_PARTS = 24  # after the first: a thread of at most 25 posts


def thread_set(post, parts):
    """Make the post's thread `parts` (the parts after the first, in order: [{"content", "media"}] with
    MediaFile instances); [] makes it a single post again. Field errors point at the part's index in
    `parts`: {"thread": {"2": {"content": ["..."]}}}. The caller holds the post's lock (services.posts)."""
    from rest_framework.exceptions import ValidationError

    parts = list(parts or [])
    if len(parts) > MAX_THREAD_PARTS:
        raise ValidationError({"thread": [f"A thread has at most {MAX_THREAD_PARTS + 1} parts (this one has {len(parts) + 1})."]})
    errors = {}
    for index, part in enumerate(parts):
        media = list(part.get("media", part.get("media_ids")) or [])
        problems = {}
        if not (part.get("content") or "").strip() and not media:
            problems["content"] = ["Write something or attach media."]
        foreign = [m.pk for m in media if m.workspace_id != post.workspace_id]
        if foreign:
            problems["media_ids"] = [f"No media file with id {', '.join(map(str, foreign))} in this workspace."]
        elif len({m.pk for m in media}) != len(media):
            problems["media_ids"] = ["Each media file may be attached once."]
        if "\x00" in (part.get("content") or ""):
            problems["content"] = ["Text cannot contain NUL characters (\\u0000)."]
        if problems:
            errors[str(index)] = problems
    if errors:
        raise ValidationError({"thread": errors})
    ThreadPart.objects.filter(post_id=post.pk).delete()
    ThreadPart.objects.bulk_create(
        ThreadPart(post=post, position=position, content=part.get("content") or "", media_ids=[m.pk for m in part.get("media", part.get("media_ids")) or []])
        for position, part in enumerate(parts, start=1)
    )


# --- publishing --------------------------------------------------------------------------------
@contextmanager
def _searching_since_first_attempt(target):
    """Reconcile looks for posts since target.claimed_at: for a thread, since its first attempt, which
    may have sent any of its parts."""
    first = PublishAttempt.objects.filter(target_id=target.pk).aggregate(first=Min("started_at"))["first"]
    saved = target.claimed_at
    if first is not None:
        target.claimed_at = first
    try:
        yield
    finally:
        target.claimed_at = saved


def publish_thread(target, adapter, head_media, parts, *, before_send=lambda: None) -> PublishResult:
    """Publish every part of `target`'s thread not yet recorded, in order; returns the head's result.
    `before_send()` runs before each network call (the engine takes a rate-limit token there).
    Raises the adapter's errors; what was recorded stays recorded for the next attempt."""
    done = recorded_parts(target)
    look_first = not adapter.idempotent_publish and target.retry_count > 1
    total = len(parts) + 1
    head = done.get(0)
    if head is None:
        head = _send_part(target, adapter, 0, target.content, total, look_first, before_send,
                          lambda: adapter.publish(target, target.content, head_media), reply_to=None)
    parent = head
    for part in parts:
        if part.position in done:
            parent = done[part.position]
            continue
        reply = ThreadReply(root=head, parent=parent)
        parent = _send_part(
            target, adapter, part.position, part.content, total, look_first, before_send,
            lambda part=part, reply=reply: adapter.publish_part(target, part.position, part.content, part_media(target, part), reply_to=reply),
            reply_to=reply,
        )
    return head


def _send_part(target, adapter, position, content, total, look_first, before_send, send, *, reply_to):
    try:
        if look_first:  # no idempotency: an earlier attempt may have sent this part; never send it blindly
            answer = _reconcile_part(target, adapter, position, content, reply_to)
            if answer.found is not None:
                return record_part(target, position, answer.found)
            if not answer.not_found:
                raise OutcomeUnknown("An earlier attempt may have published this part and the network cannot say.")
        if position:  # the engine took the head's token before it started
            before_send()
        return record_part(target, position, send())
    except PlatformError as exc:
        if total > 1 and not exc.message.startswith("Part "):
            exc.message = f"Part {position + 1} of {total}: {exc.message}"
        raise


def _reconcile_part(target, adapter, position, content, reply_to):
    with _searching_since_first_attempt(target):
        if position == 0:
            return adapter.reconcile(target)
        return adapter.reconcile_part(target, position, content, reply_to=reply_to)


def settle_thread(target, adapter) -> tuple[PublishResult | None, bool, bool, str]:
    """After an unknown outcome (a timeout, or a worker that died mid-thread): ask the network about each
    part not recorded, in order, recording those found. Returns (head, complete, safe, where):
    `complete` when every part is out; otherwise whether sending the first missing part again cannot
    duplicate it (the network said it is not there, or the network is idempotent)."""
    parts = thread_parts_of(target.post)
    done = recorded_parts(target)
    positions = [0] + [part.position for part in parts]
    contents = {0: target.content, **{part.position: part.content for part in parts}}
    head = done.get(0)
    parent = head
    for index, position in enumerate(positions):
        if position in done:
            parent = done[position]
            continue
        reply = ThreadReply(root=head, parent=parent) if position else None
        try:
            answer = _reconcile_part(target, adapter, position, contents[position], reply)
        except Exception:  # noqa: BLE001 - a failed reconcile is simply "still unknown"
            logger.warning("reconcile of part %s of target %s failed", position, target.pk, exc_info=True)
            answer = None
        if answer is None or answer.found is None:
            safe = adapter.idempotent_publish or (answer is not None and answer.not_found)
            return head, False, safe, f"part {index + 1} of {len(positions)}"  # later parts hang from it
        found = record_part(target, position, answer.found)
        if position == 0:
            head = found
        parent = found
    return head, True, True, ""
