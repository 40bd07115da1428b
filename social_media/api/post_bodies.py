"""The posts API's response bodies, built from rows.

Reading posts as model instances, with their targets, attempts and attachments prefetched as instances,
and rendering them through nested serializers cost ten times the queries themselves (docs/benchmarks.md,
"API speed"). Here every list or detail body comes from `.values()` queries (posts, targets with
their account's platform and username, attempts, attachments, their tags) and plain dicts. The attachments
are built by media.serializers.media_body, so the media library's own representation stays the only one. PostSerializer
declares the same fields for the OpenAPI schema and renders through this module;
tests/api/test_post_representation.py holds the bodies to DRF's generic output of those fields.
"""

from config.datetimes import iso
from media.models import MediaFile
from media.serializers import MEDIA_COLUMNS, media_body
from social_media.models import Post, PostMedia, PostTarget, PublishAttempt, retries_of

POST_COLUMNS = ("id", "content", "status", "scheduled_time", "posted_at", "author_id", "queue_entry__queue_id", "created_at", "updated_at")
TARGET_COLUMNS = (
    "id", "post_id", "account_id", "account__platform", "account__platform_username", "custom_content", "platform_specific_settings", "status",
    "platform_post_id", "platform_post_url", "error_message", "retry_count", "last_attempt_at", "next_attempt_at", "posted_at",
)
LINK_COLUMNS = ("post_id", "order", *(f"media__{column}" for column in MEDIA_COLUMNS))
ATTEMPT_COLUMNS = ("target_id", "kind", "attempt_number", "started_at", "finished_at", "outcome", "error_class", "http_status", "message")


def post_rows(queryset):
    """The rows `post_bodies` renders, from any queryset of posts (filtered, ordered, sliced later)."""
    return queryset.values(*POST_COLUMNS)


def post_bodies(rows) -> list[dict]:
    """Response bodies of the posts in `rows` (from `post_rows`), in their order: three more queries."""
    rows = list(rows)
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    targets = list(PostTarget.objects.filter(post_id__in=ids).order_by("id").values(*TARGET_COLUMNS))
    attempts = {}
    for a in PublishAttempt.objects.filter(target_id__in=[t["id"] for t in targets]).order_by("started_at", "id").values(*ATTEMPT_COLUMNS):
        attempts.setdefault(a["target_id"], []).append({
            "kind": a["kind"], "attempt_number": a["attempt_number"], "started_at": iso(a["started_at"]), "finished_at": iso(a["finished_at"]),
            "outcome": a["outcome"], "error_class": a["error_class"], "http_status": a["http_status"], "message": a["message"],
        })
    targets_of = {}
    for t in targets:
        targets_of.setdefault(t["post_id"], []).append({
            "id": t["id"], "account": t["account_id"], "platform": t["account__platform"],
            "account_username": t["account__platform_username"], "custom_content": t["custom_content"],
            "platform_specific_settings": t["platform_specific_settings"], "status": t["status"],
            "platform_post_id": t["platform_post_id"], "platform_post_url": t["platform_post_url"],
            "error_message": t["error_message"], "retry_count": retries_of(t["retry_count"]), "last_attempt_at": iso(t["last_attempt_at"]),
            "next_attempt_at": iso(t["next_attempt_at"]), "posted_at": iso(t["posted_at"]), "attempts": attempts.get(t["id"], []),
        })
    links = list(PostMedia.objects.filter(post_id__in=ids).order_by("order", "id").values(*LINK_COLUMNS))
    tags = {}
    for media_id, name in MediaFile.tags.through.objects.filter(mediafile_id__in={link["media__id"] for link in links}).values_list("mediafile_id", "mediatag__name"):
        tags.setdefault(media_id, []).append(name)
    media_of = {}
    for link in links:
        row = {column: link[f"media__{column}"] for column in MEDIA_COLUMNS}
        media_of.setdefault(link["post_id"], []).append({**media_body(row, tags.get(row["id"], ())), "order": link["order"]})
    return [
        {
            "id": row["id"], "content": row["content"], "status": row["status"], "scheduled_time": iso(row["scheduled_time"]),
            "posted_at": iso(row["posted_at"]), "author": row["author_id"], "queue": row["queue_entry__queue_id"],
            "targets": targets_of.get(row["id"], []), "media": media_of.get(row["id"], []),
            "created_at": iso(row["created_at"]), "updated_at": iso(row["updated_at"]),
        }
        for row in rows
    ]


def post_bodies_of(posts) -> list[dict]:
    """Bodies of these Post instances (or ids), in their order."""
    ids = [getattr(post, "pk", post) for post in posts]
    by_id = {body["id"]: body for body in post_bodies(post_rows(Post.objects.filter(pk__in=ids)))}
    return [by_id[i] for i in ids if i in by_id]
