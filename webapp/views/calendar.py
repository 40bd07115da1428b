"""The calendar page, the JSON feed FullCalendar reads (the workspace's posts in the user's time zone)
and dragging a post to another time (the scheduling service: refused once a worker claimed it)."""

from datetime import datetime, timedelta

from django import forms
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.context import parse_id
from config.numbers import digits
from social_media.models import ConnectedAccount, Post, Status
from social_media.services.posts import SCHEDULED_STATUSES, post_schedule

from ..context import workspace_view
from ..errors import SERVICE_ERRORS, service_messages
from ..forms_compose import TIME_FORMAT
from ..queries import posts_with_targets
from ..render import page

MAX_EVENTS = 2000
MAX_WINDOW = timedelta(days=62)
WALL_TIME = "%Y-%m-%dT%H:%M:%S"


class RescheduleForm(forms.Form):
    scheduled_time = forms.DateTimeField(input_formats=[TIME_FORMAT, "%Y-%m-%dT%H:%M"])


def _parse_bound(raw, default):
    """FullCalendar's start/end: ISO 8601, with an offset or without (then in the user's zone)."""
    try:
        value = datetime.fromisoformat((raw or "").replace("Z", "+00:00"))
    except ValueError:
        return default
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@workspace_view()
def calendar(request):
    accounts = ConnectedAccount.objects.filter(workspace=request.workspace).order_by("platform", "platform_username")
    statuses = [(s, label) for s, label in Status.choices if s != Status.DRAFT]
    return page(request, "app/calendar.html", {
        "accounts": accounts, "statuses": statuses, "page_title": "Calendar",
        "tz_name": timezone.get_current_timezone_name(),
    })


@workspace_view()
def calendar_events(request):
    now = timezone.now()
    start = _parse_bound(request.GET.get("start"), now - timedelta(days=31))
    end = _parse_bound(request.GET.get("end"), now + timedelta(days=31))
    if end - start > MAX_WINDOW:  # not min(end, start + MAX_WINDOW): that overflows near 9999-12-31
        end = start + MAX_WINDOW
    posts = posts_with_targets(request.workspace).exclude(status=Status.DRAFT).filter(
        Q(posted_at__gte=start, posted_at__lt=end) | Q(posted_at__isnull=True, scheduled_time__gte=start, scheduled_time__lt=end)
    )
    account = request.GET.get("account", "")
    if digits(account) is not None:  # a number filters, beyond any id it matches nothing; other text is ignored
        account_id = parse_id(account)
        posts = posts.filter(targets__account_id=account_id).distinct() if account_id is not None else posts.none()
    status = request.GET.get("status", "")
    if status in Status.values:
        posts = posts.filter(status=status)
    can_edit = request.membership.has_role("editor")
    events = []
    for post in posts.order_by("scheduled_time", "id")[:MAX_EVENTS]:
        at = post.posted_at or post.scheduled_time
        targets = list(post.targets.all())
        events.append({
            "id": str(post.pk),
            "title": (post.content or "(no text)")[:60],
            "start": timezone.localtime(at).strftime(WALL_TIME),
            "allDay": False,
            "classNames": [f"status-{post.status}"],
            "editable": can_edit and post.status in SCHEDULED_STATUSES,
            "extendedProps": {
                "status": post.status, "statusLabel": post.get_status_display(),
                "accounts": [f"{t.account.get_platform_display()} @{t.account.platform_username}" for t in targets],
            },
        })
    return JsonResponse(events, safe=False)


@require_POST
@workspace_view()
def reschedule(request, post_id):
    post = get_object_or_404(Post, workspace=request.workspace, pk=post_id)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"ok": False, "message": " ".join(form.errors["scheduled_time"])}, status=400)
    try:
        post_schedule(post=post, at=form.cleaned_data["scheduled_time"])
    except SERVICE_ERRORS as exc:
        message = " ".join(m for messages in service_messages(exc).values() for m in messages)
        return JsonResponse({"ok": False, "message": message}, status=getattr(exc, "status_code", 400))
    post.refresh_from_db()
    local = timezone.localtime(post.scheduled_time)
    return JsonResponse({"ok": True, "scheduled_time": post.scheduled_time.isoformat(), "message": f"Rescheduled to {local:%a %d %b %Y %H:%M:%S}."})
