"""The post list (the home page), one post with its targets, live status and attempts, and the
actions on it that its state allows: edit, publish now, cancel, delete, unpublish, duplicate (the
composer, prefilled), view on the network, stats; retry a target, resolve an unconfirmed one."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import Membership
from media.models import MediaFile
from social_media.models import Post, PostTarget, Status
from analytics.services import post_metrics
from social_media.services.posts import (
    DELETABLE_STATUSES, PENDING_STATUSES, SCHEDULED_STATUSES, post_cancel, post_delete, post_publish_now, target_retry,
)
from social_media.services.resolution import target_resolve
from social_media.services.unpublishing import post_unpublish

from ..context import workspace_view
from ..errors import SERVICE_ERRORS, flash_service_error, run_service
from ..first_run import first_run_steps
from ..queries import post_detail as load_post
from ..queries import posts_with_targets
from ..render import page, paginate

LIVE_STATUSES = (Status.SCHEDULED, Status.QUEUED, Status.PUBLISHING)


@workspace_view()
def home(request):
    posts = posts_with_targets(request.workspace).order_by("-created_at", "-id")
    status = request.GET.get("status", "")
    if status in Status.values:
        posts = posts.filter(status=status)
    page_obj, base = paginate(request, posts)
    return page(request, "app/home.html", {
        "page_obj": page_obj, "querystring_base": base, "statuses": Status.choices, "status": status, "page_title": "Posts",
        "first_run": first_run_steps(request.workspace),
    })


def _post_or_404(request, post_id):
    try:
        return load_post(request.workspace, post_id)
    except Post.DoesNotExist:
        raise Http404("No such post.") from None


def post_actions(post, targets):
    """What can be done to the post in its state, as the services decide it: the change actions
    (shown to editors and above) and what anyone may read (the published copies, the stats)."""
    statuses = {t.status for t in targets}
    pending = post.status in PENDING_STATUSES and statuses <= PENDING_STATUSES
    posted = [t for t in targets if t.status == Status.POSTED]
    return {
        "edit": pending,
        "publish": pending and bool(targets),
        "cancel": pending and bool(statuses & SCHEDULED_STATUSES),
        "delete": statuses <= DELETABLE_STATUSES,
        "unpublish": bool(posted),
        "duplicate": True,
        "view": [t for t in posted if t.platform_post_url],
        "stats": any(t.posted_at for t in targets),
    }


def _post_context(request, post):
    targets = list(post.targets.all())
    return {
        "post": post, "targets": targets, "page_title": f"Post #{post.pk}", "actions": post_actions(post, targets),
        "live": any(t.status in LIVE_STATUSES for t in targets),
        "media": [link.media for link in post.post_media.all()],
        "can_edit": request.membership.has_role(Membership.Role.EDITOR), "can_admin": request.membership.has_role(Membership.Role.ADMIN),
    }


@workspace_view()
def post_detail(request, post_id):
    post = _post_or_404(request, post_id)
    context = _post_context(request, post)
    if request.htmx and request.GET.get("fragment") == "targets":
        return render(request, "app/_post_targets.html", context)
    if request.htmx:
        return render(request, "app/_post_panel.html", context)
    if context["actions"]["stats"]:
        context["stats"] = _stats(post, context["targets"])
    from approvals.views import approval_context

    context.update(approval_context(request, post))
    return page(request, "app/post_detail.html", context)


def _stats(post, targets):
    """The post's latest figures (analytics.services.post_metrics) as rows: one per published target, then the totals."""
    metrics = post_metrics(post=post)
    names = list(metrics["totals"])
    by_id = {t.pk: t for t in targets}
    rows = [
        {"target": by_id[row["id"]], "values": [(name, row["metrics"].get(name, 0)) for name in names] if row["metrics"] else None,
         "read_at": (row["metrics"] or {}).get("updated_at")}
        for row in metrics["targets"] if row["posted_at"] and row["id"] in by_id
    ]
    return {"names": names, "rows": rows, "totals": [(name, metrics["totals"][name]) for name in names]}


def _back(request, post_id=None):
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("webapp:post_detail", post_id=post_id) if post_id else redirect("webapp:home")


@require_POST
@workspace_view()
def post_action(request, post_id, action):
    post = get_object_or_404(Post, workspace=request.workspace, pk=post_id)
    done = {
        "cancel": "Post cancelled.", "delete": "Post deleted.", "publish": "Publishing now.",
        "unpublish": "Unpublishing: each published copy is being deleted from its network.",
    }
    try:
        if action == "cancel":
            post_cancel(post=post)
        elif action == "delete":
            post_delete(post=post)
        elif action == "publish":
            post_publish_now(post=post, actor=request.user)
        elif action == "unpublish":
            post_unpublish(post=post)
        else:
            raise Http404("No such action.")
    except SERVICE_ERRORS as exc:
        flash_service_error(request, exc)
        return _back(request, post.pk)
    messages.success(request, done[action])
    return redirect("webapp:home") if action == "delete" else _back(request, post.pk)


@require_POST
@workspace_view()
def target_retry_view(request, target_id):
    target = get_object_or_404(PostTarget, post__workspace=request.workspace, pk=target_id)
    run_service(request, lambda: target_retry(target=target), f"Retrying the post on {target.account}.")
    return _back(request, target.post_id)


@require_POST
@workspace_view(write_role=Membership.Role.ADMIN)
def target_resolve_view(request, target_id, outcome):
    target = get_object_or_404(PostTarget, post__workspace=request.workspace, pk=target_id)
    if outcome not in ("published", "not-published"):
        raise Http404("No such outcome.")
    url = request.POST.get("platform_post_url", "")  # target_resolve checks it
    published = outcome == "published"
    run_service(
        request, lambda: target_resolve(target=target, published=published, platform_post_url=url),
        "Marked as published." if published else "Marked as not published; retry it to send it.",
    )
    return _back(request, target.post_id)


@workspace_view()
def media_file(request, media_id):
    """A media file's bytes, for members of its workspace only (thumbnails and previews)."""
    media = get_object_or_404(MediaFile, workspace=request.workspace, pk=media_id)
    try:
        handle = media.file.open("rb")
    except FileNotFoundError:
        raise Http404("This file's stored bytes are missing; upload it again.") from None
    response = FileResponse(handle, content_type=media.mime_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
