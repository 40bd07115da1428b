"""Queues: list, create/edit (weekly posting times in the queue's zone), the next free slots and the
posts lined up, adding a draft, and reordering (drag and drop, or the move buttons)."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError

from social_media.models import PostQueue
from social_media.services.posts import SCHEDULED_STATUSES
from social_media.services.queues import queue_add_post, queue_pending_posts, queue_reorder, queue_save, upcoming_free_slots

from ..context import workspace_view
from ..errors import SERVICE_ERRORS, add_service_errors, run_service, service_messages
from ..forms_queue import AddToQueueForm, QueueForm, ReorderForm
from ..render import page, paginate


@workspace_view()
def queue_list(request):
    queues = (
        PostQueue.objects.filter(workspace=request.workspace)
        .annotate(waiting=Count("entries", filter=Q(entries__post__status__in=SCHEDULED_STATUSES)))
        .prefetch_related("target_accounts")
        .order_by("name", "id")
    )
    page_obj, base = paginate(request, queues)
    return page(request, "app/queues.html", {"page_obj": page_obj, "querystring_base": base, "page_title": "Queues"})


def _queue(request, queue_id):
    return get_object_or_404(PostQueue, workspace=request.workspace, pk=queue_id)


@workspace_view()
def queue_edit(request, queue_id=None):
    queue = _queue(request, queue_id) if queue_id else None
    form = QueueForm(request.POST or None, workspace=request.workspace, queue=queue)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            queue = queue_save(
                workspace=request.workspace, queue=queue, name=data["name"], description=data["description"],
                accounts=list(data["accounts"]), posting_schedule=form.posting_schedule(), timezone_name=data["timezone"], is_active=data["is_active"],
            )
        except ValidationError as exc:
            detail = dict(exc.detail)
            for day, problems in (detail.pop("posting_schedule", None) or {}).items():
                for problem in problems:
                    form.add_error(f"day_{day}" if f"day_{day}" in form.fields else None, problem)
            add_service_errors(form, ValidationError(detail), aliases={"target_accounts": "accounts"}) if detail else None
        else:
            messages.success(request, f"Queue {queue.name} saved.")
            return redirect("webapp:queue_detail", queue_id=queue.pk)
    return page(request, "app/queue_form.html", {"form": form, "queue": queue, "page_title": "Edit queue" if queue else "New queue"}, status=400 if form.errors else 200)


@workspace_view()
def queue_detail(request, queue_id):
    queue = _queue(request, queue_id)
    try:
        slots = upcoming_free_slots(queue)
    except ValidationError:
        slots = []
    pending = queue_pending_posts(queue)
    ids = [p.pk for p in pending]
    for i, post in enumerate(pending):  # the order each move button asks for
        up, down = ids[:], ids[:]
        if i > 0:
            up[i - 1], up[i] = up[i], up[i - 1]
        if i < len(ids) - 1:
            down[i + 1], down[i] = down[i], down[i + 1]
        post.move_up, post.move_down = ",".join(map(str, up)), ",".join(map(str, down))
    return page(request, "app/queue_detail.html", {
        "queue": queue, "slots": slots, "pending": pending, "accounts": list(queue.target_accounts.all()),
        "add_form": AddToQueueForm(workspace=request.workspace), "page_title": queue.name,
    })


@require_POST
@workspace_view()
def queue_add(request, queue_id):
    queue = _queue(request, queue_id)
    form = AddToQueueForm(request.POST, workspace=request.workspace)
    if not form.is_valid():
        for problem in form.errors.get("post", ["Choose a draft post."]):
            messages.error(request, problem)
        return redirect("webapp:queue_detail", queue_id=queue.pk)
    run_service(request, lambda: queue_add_post(queue=queue, post=form.cleaned_data["post"]), lambda post: f"Post #{post.pk} added to {queue.name}.")
    return redirect("webapp:queue_detail", queue_id=queue.pk)


@require_POST
@workspace_view()
def queue_reorder_view(request, queue_id):
    """post_ids in the new order (SortableJS sends them; the move buttons too). JSON for fetch, else redirect."""
    queue = _queue(request, queue_id)
    wants_json = "application/json" in request.headers.get("Accept", "")
    form = ReorderForm(request.POST)
    error = None
    if form.is_valid():
        try:
            queue_reorder(queue=queue, post_ids=form.cleaned_data["post_ids"])
        except SERVICE_ERRORS as exc:
            error = " ".join(m for ms in service_messages(exc).values() for m in ms)
    else:
        error = " ".join(form.errors["post_ids"])
    if wants_json:
        return JsonResponse({"ok": error is None, "message": error or "New order saved."}, status=400 if error else 200)
    messages.error(request, error) if error else messages.success(request, "New order saved.")
    return redirect("webapp:queue_detail", queue_id=queue.pk)
