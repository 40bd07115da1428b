"""What the composer's buttons do, as calls to the posting services in one transaction (a post that
cannot be scheduled is not left behind half-saved), and the time it suggests for a new post."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from social_media.models import PostQueue
from social_media.services.posts import UNSET, WAITING_STATUSES, post_create, post_publish_now, post_schedule, post_update
from social_media.services.queues import next_free_slot, queue_add_post

ROUND_TO = timedelta(minutes=15)
AT_LEAST_AHEAD = timedelta(minutes=10)  # time to finish writing


def suggested_time(*, workspace, accounts=(), now=None):
    """When a new post for `accounts` would go out: the earliest free slot of the workspace's active
    queues that post to one of them, else the first quarter hour at least AT_LEAST_AHEAD from now."""
    now = now or timezone.now()
    slots = []
    if accounts:
        queues = PostQueue.objects.filter(workspace=workspace, is_active=True, target_accounts__in=list(accounts)).distinct()
        for queue in queues:
            try:
                slots.append(next_free_slot(queue, after=now))
            except ValidationError:  # a queue without posting times (or a broken one the admin saved)
                continue
    if slots:
        return min(slots)
    earliest = now + AT_LEAST_AHEAD
    epoch = earliest.replace(hour=0, minute=0, second=0, microsecond=0)
    steps = -(-(earliest - epoch) // ROUND_TO)  # ceiling
    return epoch + steps * ROUND_TO


@transaction.atomic
def compose_save(*, workspace, author, action, accounts, content, custom_content, media, post=None, scheduled_time=None, queue=None, target_settings=None,
                 first_comment=UNSET, thread=None):
    """Create (post=None) or edit a post, then: 'draft' keeps or puts it back to draft, 'schedule'
    schedules it at `scheduled_time`, 'queue' puts it in the queue's next free slot, 'publish' sends it now.
    In a workspace that requires approval an editor's schedule, queue and publish submit the post for
    approval instead (the services decide), and an edit of an approved post sends it back for approval."""
    if post is None:
        post = post_create(
            workspace=workspace, author=author, content=content, accounts=accounts, custom_content=custom_content, media=media,
            target_settings=target_settings, thread=thread, first_comment=first_comment,
        )
    else:
        back_to_draft = action != "schedule" and post.status in WAITING_STATUSES
        # Scheduling an edited post is one post_update with its time, so an edit of an approved post
        # is seen as one (and sent back for approval) whoever saves it.
        with_time = action == "schedule" and scheduled_time is not None
        time = {"scheduled_time": None} if back_to_draft else {"scheduled_time": scheduled_time} if with_time else {}
        post_update(
            post=post, content=content, accounts=accounts, custom_content=custom_content, media=media,
            target_settings=target_settings or {}, actor=author, thread=thread or [], first_comment=first_comment, **time,
        )
        if with_time:
            return post
    if action == "schedule":
        post_schedule(post=post, at=scheduled_time, actor=author)
    elif action == "queue":
        queue_add_post(queue=queue, post=post, actor=author)
    elif action == "publish":
        post_publish_now(post=post, actor=author)
    return post
