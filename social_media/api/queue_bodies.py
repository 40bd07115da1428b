"""The queues API's response bodies, built from rows (as social_media/api/post_bodies.py does for posts).

A page of queues as instances, with their accounts and upcoming entries prefetched as instances, cost
2.5 times the hand-written equivalent (docs/benchmarks.md, "API speed"). Here: the queues' rows, their
account ids from the link table, and their waiting entries with the post's time and status, three
queries whatever the page holds. PostQueueSerializer renders through `queue_bodies_of`, and
tests/api/test_post_representation.py holds the bodies to DRF's generic output."""

from config.datetimes import iso
from social_media.models import PostQueue, QueuedPost
from social_media.services.posts import SCHEDULED_STATUSES

QUEUE_COLUMNS = ("id", "name", "description", "posting_schedule", "timezone", "is_active", "created_at")


def upcoming_entries(entries):
    """Queue entries whose post still waits for its slot, in the order they go out."""
    return entries.filter(post__status__in=SCHEDULED_STATUSES).select_related("post").order_by("position", "id")


def queue_rows(queryset):
    """The rows `queue_bodies` renders, from any queryset of queues (filtered, ordered, sliced later)."""
    return queryset.values(*QUEUE_COLUMNS)


def queue_bodies(rows) -> list[dict]:
    """Bodies of the queues in `rows` (from `queue_rows`), in their order: two more queries."""
    rows = list(rows)
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    accounts = {}
    links = PostQueue.target_accounts.through.objects.filter(postqueue_id__in=ids).order_by("connectedaccount_id")
    for queue_id, account_id in links.values_list("postqueue_id", "connectedaccount_id"):
        accounts.setdefault(queue_id, []).append(account_id)
    upcoming = {}
    entries = upcoming_entries(QueuedPost.objects.filter(queue_id__in=ids)).values_list(
        "queue_id", "post_id", "position", "post__scheduled_time", "post__status",
    )
    for queue_id, post_id, position, scheduled_time, post_status in entries:
        upcoming.setdefault(queue_id, []).append({"post": post_id, "position": position, "scheduled_time": iso(scheduled_time), "status": post_status})
    return [
        {
            "id": row["id"], "name": row["name"], "description": row["description"], "target_accounts": accounts.get(row["id"], []),
            "posting_schedule": row["posting_schedule"], "timezone": row["timezone"], "is_active": row["is_active"],
            "created_at": iso(row["created_at"]), "upcoming": upcoming.get(row["id"], []),
        }
        for row in rows
    ]


def queue_bodies_of(queues) -> list[dict]:
    """Bodies of these PostQueue instances (or ids), in their order."""
    ids = [getattr(queue, "pk", queue) for queue in queues]
    by_id = {body["id"]: body for body in queue_bodies(queue_rows(PostQueue.objects.filter(pk__in=ids)))}
    return [by_id[i] for i in ids if i in by_id]
