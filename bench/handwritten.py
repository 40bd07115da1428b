"""The baselines bench/api.py measures the API against, served from the same gunicorn process.

* `bare`: a plain Django view returning JSON of a given size (what any response of that size costs).
* the hand-written views: what each endpoint's work costs without the framework. They authenticate the
  same bearer token (PyJWT) and read the membership with its user and workspace (the one query
  accounts/authentication.py runs), run the same data queries as the endpoint (`.values()` rows with
  the page's total in the same query, as config/pagination.py reads them; for posts the endpoint's one
  SQL query that builds the bodies) and build byte-for-byte the same JSON with plain Python (written by
  orjson, as the API's renderer does).
  bench/api.py checks that each body equals the endpoint's before measuring anything.
"""

from datetime import datetime

import jwt
import orjson
from django.conf import settings
from django.db import connection
from django.db.models import Count, Window
from django.http import HttpResponse, JsonResponse
from rest_framework.utils.urls import remove_query_param, replace_query_param

from accounts.authentication import MEMBERSHIP_ROW
from analytics import services as analytics_services
from social_media.api.post_bodies import POST_BODIES_SQL, finish_media
from social_media.models import Post, PostQueue, QueuedPost
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
    """Compact UTF-8 JSON, as fast as Python writes it (orjson), with DRF's escapes of U+2028/U+2029."""
    body = orjson.dumps(data, default=_default, option=orjson.OPT_PASSTHROUGH_DATETIME)
    if b"\xe2\x80\xa8" in body or b"\xe2\x80\xa9" in body:
        body = body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
    return HttpResponse(body, content_type="application/json")


def membership_of(request):
    raw = request.META.get("HTTP_AUTHORIZATION", "").split(" ", 1)[1]
    payload = jwt.decode(raw, settings.SIMPLE_JWT.get("SIGNING_KEY", settings.SECRET_KEY), algorithms=["HS256"])
    membership = MEMBERSHIP_ROW.in_workspace(int(payload["user_id"]), int(request.META["HTTP_X_WORKSPACE"]))
    assert membership.user.is_active
    return membership


def _page(request, queryset, *fields):
    """(count, next, previous, rows of `fields`): the page and its total in one query."""
    page = int(request.GET.get("page", 1))
    size = min(int(request.GET.get("page_size", PAGE_SIZE)), 100)
    rows = list(queryset.annotate(_total=Window(Count("*"))).values(*fields, "_total")[(page - 1) * size:page * size])
    count = rows[0]["_total"] if rows else 0
    url = request.build_absolute_uri()
    nxt = replace_query_param(url, "page", page + 1) if page * size < count else None
    if page <= 1:
        prev = None
    elif page == 2:
        prev = remove_query_param(url, "page")
    else:
        prev = replace_query_param(url, "page", page - 1)
    return count, nxt, prev, rows


def _posts_json(ids, workspace_id=None):
    """The API's one query for a page of posts (social_media.api.post_bodies.POST_BODIES_SQL: PostgreSQL
    builds the bodies), finished in plain Python: parse, then the endpoint's own media fix-up."""
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(POST_BODIES_SQL, [ids, workspace_id, workspace_id])
        bodies = orjson.loads(cursor.fetchone()[0])
    for body in bodies:
        for media in body["media"]:
            finish_media(media)  # the signing and float fix-up the endpoint does, not framework work
    return bodies


def post_list(request):
    """GET /api/v1/posts/ (with ?page, ?page_size, ?scheduled_after, ?scheduled_before)."""
    membership = membership_of(request)
    posts = Post.objects.filter(workspace_id=membership.workspace_id)
    if "scheduled_after" in request.GET:
        posts = posts.filter(scheduled_time__gte=request.GET["scheduled_after"])
    if "scheduled_before" in request.GET:
        posts = posts.filter(scheduled_time__lte=request.GET["scheduled_before"])
    count, nxt, prev, rows = _page(request, posts.order_by("-created_at", "-id"), "id")
    ids = [row["id"] for row in rows]
    return respond({"count": count, "next": nxt, "previous": prev, "results": _posts_json(ids)})


def post_detail(request, pk):
    membership = membership_of(request)
    bodies = _posts_json([pk], membership.workspace_id)
    if not bodies:
        return JsonResponse({"error": {"code": "not_found", "message": "Not found."}}, status=404)
    return respond(bodies[0])


def queue_list(request):
    membership = membership_of(request)
    queues = PostQueue.objects.filter(workspace_id=membership.workspace_id)
    count, nxt, prev, rows = _page(request, queues.order_by("id"), "id", "name", "description", "posting_schedule", "timezone", "is_active", "created_at")
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
