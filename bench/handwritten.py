"""The baselines bench/api.py measures the API against, served from the same gunicorn process.

* `bare`: a plain Django view returning JSON of a given size (what any response of that size costs).
* the hand-written views: what each endpoint's work costs without the framework. They authenticate the
  same bearer token (PyJWT) and read the membership with its user and workspace (the one query
  accounts/authentication.py runs), read the page and its total in one query (as config/pagination.py
  does), and build the same bodies with the endpoint's own plain-Python body builders
  (rendered_post_bodies: PostgreSQL's JSON plus signed media URLs, kept between requests as the API
  keeps them; queue_bodies: rows), written by orjson as the API's renderer does. What is left between
  the two is the framework.
  bench/api.py checks that each body equals the endpoint's before measuring anything.
"""

from datetime import datetime

import jwt
import orjson
from django.conf import settings
from django.db.models import Count, Window
from django.http import HttpResponse, JsonResponse
from rest_framework.utils.urls import remove_query_param, replace_query_param

from accounts.authentication import MEMBERSHIP_ROW
from analytics import services as analytics_services
from config.renderers import PreRendered
from social_media.api.post_bodies import rendered_post_bodies
from social_media.api.queue_bodies import QUEUE_COLUMNS, queue_bodies
from social_media.models import Post, PostQueue

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
    if isinstance(value, PreRendered):
        return value.fragment
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
    return respond({"count": count, "next": nxt, "previous": prev, "results": rendered_post_bodies(ids)})


def post_detail(request, pk):
    membership = membership_of(request)
    bodies = rendered_post_bodies([pk], workspace_id=membership.workspace_id)
    if not bodies:
        return JsonResponse({"error": {"code": "not_found", "message": "Not found."}}, status=404)
    return respond(bodies[0])


def queue_list(request):
    membership = membership_of(request)
    queues = PostQueue.objects.filter(workspace_id=membership.workspace_id)
    count, nxt, prev, rows = _page(request, queues.order_by("id"), *QUEUE_COLUMNS)
    return respond({"count": count, "next": nxt, "previous": prev, "results": queue_bodies(rows)})


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
