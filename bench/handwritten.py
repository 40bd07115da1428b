"""The baselines bench/api.py measures the API against, served from the same gunicorn process.

* `bare`: a plain Django view returning JSON of a given size (what any response of that size costs).
* the hand-written views: what each endpoint's work costs without the framework. They authenticate the
  same bearer token (PyJWT) and read the membership with its user and workspace (one query, as
  accounts/authentication.py does), run the same data queries
  as the endpoint (as `.values()` rows) and build byte-for-byte the same JSON with plain Python.
  bench/api.py checks that each body equals the endpoint's before measuring anything.
"""

import json
from datetime import datetime

import jwt
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from rest_framework.utils.urls import remove_query_param, replace_query_param

from accounts.models import Membership
from analytics import services as analytics_services
from media.models import MediaFile
from media.public import signed_url
from social_media.models import Post, PostMedia, PostQueue, PostTarget, PublishAttempt, QueuedPost
from social_media.services.posts import SCHEDULED_STATUSES

PAGE_SIZE = 20


def bare(request, size):
    """{"data": "xxx…"} of exactly `size` bytes."""
    return HttpResponse(b'{"data":"' + b"x" * max(0, size - 11) + b'"}', content_type="application/json")


def dt(value):
    """A datetime as DRF renders it (ISO 8601, UTC as Z)."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _default(value):
    if isinstance(value, datetime):
        return dt(value)
    raise TypeError(type(value))


def respond(data):
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_default)
    return HttpResponse(body.encode(), content_type="application/json")


def membership_of(request):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    payload = jwt.decode(header.split(" ", 1)[1], settings.SIMPLE_JWT.get("SIGNING_KEY", settings.SECRET_KEY), algorithms=["HS256"])
    return Membership.objects.select_related("user", "workspace").get(
        user_id=payload["user_id"], user__is_active=True, workspace_id=int(request.META["HTTP_X_WORKSPACE"]),
    )


def _page(request, queryset):
    page = int(request.GET.get("page", 1))
    size = min(int(request.GET.get("page_size", PAGE_SIZE)), 100)
    count = queryset.count()
    url = request.build_absolute_uri()
    nxt = replace_query_param(url, "page", page + 1) if page * size < count else None
    if page <= 1:
        prev = None
    elif page == 2:
        prev = remove_query_param(url, "page")
    else:
        prev = replace_query_param(url, "page", page - 1)
    return count, nxt, prev, (page - 1) * size, page * size


POST_FIELDS = ("id", "content", "status", "scheduled_time", "posted_at", "author_id", "queue_entry__queue_id", "created_at", "updated_at")
TARGET_FIELDS = (
    "id", "post_id", "account_id", "account__platform", "account__platform_username", "custom_content", "platform_specific_settings", "status",
    "platform_post_id", "platform_post_url", "error_message", "retry_count", "last_attempt_at", "next_attempt_at", "posted_at",
)
ATTEMPT_FIELDS = ("target_id", "kind", "attempt_number", "started_at", "finished_at", "outcome", "error_class", "http_status", "message")
MEDIA_FIELDS = (
    "post_id", "order", "media__id", "media__media_type", "media__mime_type", "media__original_filename", "media__file_size",
    "media__width", "media__height", "media__duration", "media__alt_text", "media__file", "media__thumbnail", "media__status",
    "media__status_reason", "media__processed_with", "media__video_info", "media__folder_id", "media__sha256", "media__created_at",
)


def _posts_json(request, rows):
    ids = [row["id"] for row in rows]
    targets = list(PostTarget.objects.filter(post_id__in=ids).order_by("id").values(*TARGET_FIELDS))
    attempts = {}
    for a in PublishAttempt.objects.filter(target_id__in=[t["id"] for t in targets]).order_by("started_at", "id").values(*ATTEMPT_FIELDS):
        attempts.setdefault(a["target_id"], []).append({
            "kind": a["kind"], "attempt_number": a["attempt_number"], "started_at": dt(a["started_at"]), "finished_at": dt(a["finished_at"]),
            "outcome": a["outcome"], "error_class": a["error_class"], "http_status": a["http_status"], "message": a["message"],
        })
    by_post = {}
    for t in targets:
        by_post.setdefault(t["post_id"], []).append({
            "id": t["id"], "account": t["account_id"], "platform": t["account__platform"],
            "account_username": t["account__platform_username"], "custom_content": t["custom_content"],
            "platform_specific_settings": t["platform_specific_settings"], "status": t["status"],
            "platform_post_id": t["platform_post_id"], "platform_post_url": t["platform_post_url"],
            "error_message": t["error_message"], "retry_count": max(0, t["retry_count"] - 1), "last_attempt_at": dt(t["last_attempt_at"]),
            "next_attempt_at": dt(t["next_attempt_at"]), "posted_at": dt(t["posted_at"]), "attempts": attempts.get(t["id"], []),
        })
    media_rows = list(PostMedia.objects.filter(post_id__in=ids).order_by("order", "id").values(*MEDIA_FIELDS))
    tags = {}
    for media_id, name in MediaFile.tags.through.objects.filter(mediafile_id__in={m["media__id"] for m in media_rows}).values_list("mediafile_id", "mediatag__name"):
        tags.setdefault(media_id, []).append(name)
    media = {}
    for m in media_rows:
        media.setdefault(m["post_id"], []).append({
            "id": m["media__id"], "media_type": m["media__media_type"], "mime_type": m["media__mime_type"],
            "original_filename": m["media__original_filename"], "file_size": m["media__file_size"], "width": m["media__width"],
            "height": m["media__height"], "duration": m["media__duration"], "alt_text": m["media__alt_text"],
            "url": signed_url(m["media__file"], m["media__mime_type"]),
            "thumbnail_url": signed_url(m["media__thumbnail"], "image/jpeg") if m["media__thumbnail"] else None,
            "status": m["media__status"], "status_reason": m["media__status_reason"], "processed_with": m["media__processed_with"],
            "video_info": m["media__video_info"], "folder": m["media__folder_id"], "tags": sorted(tags.get(m["media__id"], [])),
            "sha256": m["media__sha256"], "created_at": dt(m["media__created_at"]), "order": m["order"],
        })
    return [
        {
            "id": row["id"], "content": row["content"], "status": row["status"], "scheduled_time": dt(row["scheduled_time"]),
            "posted_at": dt(row["posted_at"]), "author": row["author_id"], "queue": row["queue_entry__queue_id"],
            "targets": by_post.get(row["id"], []), "media": media.get(row["id"], []), "created_at": dt(row["created_at"]),
            "updated_at": dt(row["updated_at"]),
        }
        for row in rows
    ]


def post_list(request):
    """GET /api/v1/posts/ (with ?page, ?page_size, ?scheduled_after, ?scheduled_before)."""
    membership = membership_of(request)
    posts = Post.objects.filter(workspace_id=membership.workspace_id)
    if "scheduled_after" in request.GET:
        posts = posts.filter(scheduled_time__gte=request.GET["scheduled_after"])
    if "scheduled_before" in request.GET:
        posts = posts.filter(scheduled_time__lte=request.GET["scheduled_before"])
    count, nxt, prev, start, end = _page(request, posts)
    rows = list(posts.order_by("-created_at", "-id").values(*POST_FIELDS)[start:end])
    return respond({"count": count, "next": nxt, "previous": prev, "results": _posts_json(request, rows)})


def post_detail(request, pk):
    membership = membership_of(request)
    rows = list(Post.objects.filter(workspace_id=membership.workspace_id, pk=pk).values(*POST_FIELDS))
    if not rows:
        return JsonResponse({"error": {"code": "not_found", "message": "Not found."}}, status=404)
    return respond(_posts_json(request, rows)[0])


def queue_list(request):
    membership = membership_of(request)
    queues = PostQueue.objects.filter(workspace_id=membership.workspace_id)
    count, nxt, prev, start, end = _page(request, queues)
    rows = list(queues.order_by("id").values("id", "name", "description", "posting_schedule", "timezone", "is_active", "created_at")[start:end])
    ids = [row["id"] for row in rows]
    accounts = {}
    for queue_id, account_id in PostQueue.target_accounts.through.objects.filter(postqueue_id__in=ids).order_by("connectedaccount_id").values_list("postqueue_id", "connectedaccount_id"):
        accounts.setdefault(queue_id, []).append(account_id)
    upcoming = {}
    entries = (
        QueuedPost.objects.filter(queue_id__in=ids, post__status__in=SCHEDULED_STATUSES)
        .order_by("position", "id").values("queue_id", "post_id", "position", "post__scheduled_time", "post__status")
    )
    for e in entries:
        upcoming.setdefault(e["queue_id"], []).append(
            {"post": e["post_id"], "position": e["position"], "scheduled_time": dt(e["post__scheduled_time"]), "status": e["post__status"]}
        )
    results = [
        {
            "id": row["id"], "name": row["name"], "description": row["description"], "target_accounts": accounts.get(row["id"], []),
            "posting_schedule": row["posting_schedule"], "timezone": row["timezone"], "is_active": row["is_active"],
            "created_at": dt(row["created_at"]), "upcoming": upcoming.get(row["id"], []),
        }
        for row in rows
    ]
    return respond({"count": count, "next": nxt, "previous": prev, "results": results})


PLATFORM_KEYS = (*analytics_services.METRICS, "platform", "label", "targets", "posted", "failed")


def overview(request):
    membership = membership_of(request)
    data = analytics_services.workspace_overview(workspace=membership.workspace)
    data["platforms"] = [{key: row[key] for key in PLATFORM_KEYS} for row in data["platforms"]]  # the serializer's order
    return respond(data)


def history(request, pk):
    membership = membership_of(request)
    post = Post.objects.filter(workspace_id=membership.workspace_id, pk=pk).first()
    data = analytics_services.post_history(post=post)
    return respond(data)
