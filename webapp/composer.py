"""What the composer's buttons do, as calls to the posting services in one transaction (a post that
cannot be scheduled is not left behind half-saved)."""

from django.db import transaction

from social_media.services.posts import SCHEDULED_STATUSES, post_create, post_publish_now, post_schedule, post_update
from social_media.services.queues import queue_add_post


@transaction.atomic
def compose_save(*, workspace, author, action, accounts, content, custom_content, media, post=None, scheduled_time=None, queue=None, target_settings=None):
    """Create (post=None) or edit a post, then: 'draft' keeps or puts it back to draft, 'schedule'
    schedules it at `scheduled_time`, 'queue' puts it in the queue's next free slot, 'publish' sends it now."""
    if post is None:
        post = post_create(
            workspace=workspace, author=author, content=content, accounts=accounts, custom_content=custom_content, media=media,
            target_settings=target_settings,
        )
    else:
        back_to_draft = action != "schedule" and post.status in SCHEDULED_STATUSES
        post_update(
            post=post, content=content, accounts=accounts, custom_content=custom_content, media=media,
            target_settings=target_settings or {}, **({"scheduled_time": None} if back_to_draft else {}),
        )
    if action == "schedule":
        post_schedule(post=post, at=scheduled_time)
    elif action == "queue":
        queue_add_post(queue=queue, post=post)
    elif action == "publish":
        post_publish_now(post=post)
    return post
