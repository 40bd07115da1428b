"""The calendar page, the JSON feed FullCalendar reads (the workspace's posts in the user's time zone)
and dragging a post to another time (the scheduling service: refused once a worker claimed it)."""

from datetime import datetime, timedelta

from django import forms
from django.db import DataError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.context import parse_id
from config.datetimes import as_utc
from config.numbers import digits
from media.models import MediaFile
from social_media.models import ConnectedAccount, Post, Status
from social_media.services.posts import post_schedule

from ..calendar_feed import calendar_feed
from ..context import workspace_view
from ..errors import SERVICE_ERRORS, service_messages
from ..forms_compose import TIME_FORMAT
from ..render import page

MAX_WINDOW = timedelta(days=62)


class RescheduleForm(forms.Form):
    scheduled_time = forms.DateTimeField(input_formats=[TIME_FORMAT, "%Y-%m-%dT%H:%M"])


def _parse_bound(raw):
    """FullCalendar's start/end: ISO 8601, with an offset or without (then in the user's zone), in UTC;
    None when it is not a date and time or has no UTC instant (near the ends of the calendar)."""
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        return as_utc(timezone.make_aware(value) if timezone.is_naive(value) else value)
    except (ValueError, OverflowError):
        return None


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
    """Every post in [start, end) (FullCalendar's visible range, at most MAX_WINDOW), as calendar_feed
    builds it. A bound that is not a date and time, or a range past MAX_WINDOW, is a 400 saying so."""
    now = timezone.now()
    bounds = {}
    for name, default in (("start", now - timedelta(days=31)), ("end", now + timedelta(days=31))):
        raw = request.GET.get(name, "")
        bounds[name] = _parse_bound(raw) if raw else default
        if bounds[name] is None:
            return _bad_range(name, "Enter a date and time, e.g. 2030-01-31T00:00:00.")
    start, end = bounds["start"], bounds["end"]
    if end <= start:
        return _bad_range("end", "The end must be after the start.")
    if end - start > MAX_WINDOW:  # a month view asks for 42 days; nothing is ever cut silently
        return _bad_range("end", f"The range can be at most {MAX_WINDOW.days} days long.")
    account_id = None
    account = request.GET.get("account", "")
    if digits(account) is not None:  # a number filters, beyond any id it matches nothing; other text is ignored
        account_id = parse_id(account)
        if account_id is None:
            return _json_text("[]")
    status = request.GET.get("status", "")
    zone = timezone.get_current_timezone_name()
    try:
        feed = calendar_feed(
            workspace_id=request.workspace.pk, start=start, end=end, tz_name=zone,
            can_edit=request.membership.has_role("editor"), account_id=account_id,
            status=status if status in Status.values else None,
        )
    except DataError:  # a zone name newer than PostgreSQL's time-zone database
        return _bad_range("timezone", f"This server's database does not know the time zone {zone}; choose another in your profile.")
    return _json_text(feed)


def _json_text(text):
    return HttpResponse(text, content_type="application/json")


def _bad_range(field, message):
    return JsonResponse({"ok": False, "message": message, "errors": {field: [message]}}, status=400)


@workspace_view()
def media_thumbnail(request, media_id):
    """A media file's thumbnail (a small JPEG; a video's poster frame), for members of its workspace:
    the calendar shows it in a post's event. 404 while it has none (still processing)."""
    media = get_object_or_404(MediaFile.objects.only("thumbnail"), workspace=request.workspace, pk=media_id)
    if not media.thumbnail:
        raise Http404("This file has no thumbnail yet.")
    try:
        handle = media.thumbnail.open("rb")
    except FileNotFoundError:
        raise Http404("This thumbnail's stored bytes are missing.") from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@workspace_view()
def reschedule(request, post_id):
    post = get_object_or_404(Post, workspace=request.workspace, pk=post_id)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"ok": False, "message": " ".join(form.errors["scheduled_time"])}, status=400)
    try:
        post_schedule(post=post, at=form.cleaned_data["scheduled_time"], actor=request.user)
    except SERVICE_ERRORS as exc:
        message = " ".join(m for messages in service_messages(exc).values() for m in messages)
        return JsonResponse({"ok": False, "message": message}, status=getattr(exc, "status_code", 400))
    post.refresh_from_db()
    local = timezone.localtime(post.scheduled_time)
    return JsonResponse({"ok": True, "scheduled_time": post.scheduled_time.isoformat(), "message": f"Rescheduled to {local:%a %d %b %Y %H:%M:%S}."})
