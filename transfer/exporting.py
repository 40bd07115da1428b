"""Export of a workspace's posts, one line per target (a post without targets gets one line): the post
(with its thread's further parts), the target's outcome (status, link on the network, error) and its
latest figures (PostAnalytics), as CSV or JSON produced row by row for a streamed response. CSV cells a
spreadsheet would run as a formula are defused by analytics.insights.export.csv_lines (a leading quote)."""

import json
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Prefetch
from django.db.models.functions import Coalesce
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from analytics.insights.export import csv_lines
from analytics.models import METRICS
from social_media.models import Post, PostTarget, Status, ThreadPart, without_secrets
from social_media.services.threads import thread_parts_of

from .files import PART_SEPARATOR

COLUMNS = (
    "post_id", "created_at", "scheduled_time", "post_status", "content", "thread", "target_id", "platform", "account",
    "target_status", "posted_at", "url", "error", *METRICS, "engagement", "metrics_updated_at",
)
FORMATS = ("csv", "json")


def _moment(value, *, name, end=False):
    """A date (the whole day, UTC) or an ISO 8601 time with offset."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day + timedelta(days=1) if end else day, time(), tzinfo=UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: ["Give a date (2030-01-31) or a time with a UTC offset (2030-01-31T09:00:00+01:00)."]}) from None
    if timezone.is_naive(moment):
        raise ValidationError({name: ["Give the time with a UTC offset, e.g. 2030-01-31T09:00:00+01:00."]})
    return moment


def clean_filters(params) -> dict:
    """{"format", "since", "until", "status"} from query parameters, or ValidationError by parameter."""
    errors, cleaned = {}, {}
    cleaned["format"] = (params.get("format") or "csv").lower()
    if cleaned["format"] not in FORMATS:
        errors["format"] = [f"Use one of {', '.join(FORMATS)}."]
    for key, name, end in (("since", "from", False), ("until", "to", True)):
        try:
            cleaned[key] = _moment(params.get(name), name=name, end=end)
        except ValidationError as exc:
            errors.update(exc.detail)
    status = (params.get("status") or "").strip()
    if status and status not in Status.values:
        errors["status"] = [f"Use one of {', '.join(Status.values)}."]
    cleaned["status"] = status or None
    if errors:
        raise ValidationError(errors)
    return cleaned


def export_posts(*, workspace, since=None, until=None, status=None):
    """The workspace's posts in the window (by the time they went out, else their scheduled time, else
    when they were written), oldest first, with targets, accounts, figures and thread parts prefetched in chunks."""
    posts = Post.objects.filter(workspace=workspace).annotate(at=Coalesce("posted_at", "scheduled_time", "created_at"))
    if since:
        posts = posts.filter(at__gte=since)
    if until:
        posts = posts.filter(at__lt=until)
    if status:
        posts = posts.filter(status=status)
    targets = without_secrets(PostTarget.objects.select_related("account", "analytics"), "account").order_by("id")
    parts = Prefetch("thread_parts", queryset=ThreadPart.objects.order_by("post_id", "position"))
    return posts.order_by("at", "id").prefetch_related(Prefetch("targets", queryset=targets), parts).iterator(chunk_size=500)


def _iso(value):
    return value.isoformat() if value else ""


def records(posts):
    """One dict per target (or per post without targets), in COLUMNS order; `thread` is the texts of the
    parts after the first, in order (csv_stream joins them)."""
    for post in posts:
        thread = [part.content for part in thread_parts_of(post)]
        targets = list(post.targets.all()) or [None]
        for target in targets:
            figures = getattr(target, "analytics", None) if target is not None else None
            yield {
                "post_id": post.pk, "created_at": _iso(post.created_at), "scheduled_time": _iso(post.scheduled_time),
                "post_status": post.status, "content": post.content, "thread": thread,
                "target_id": target.pk if target else "", "platform": target.account.platform if target else "",
                "account": target.account.platform_username if target else "",
                "target_status": target.status if target else "", "posted_at": _iso(target.posted_at) if target else "",
                "url": target.platform_post_url if target else "", "error": target.error_message if target else "",
                **{name: getattr(figures, name) if figures else "" for name in METRICS},
                "engagement": figures.engagement_total if figures else "",
                "metrics_updated_at": _iso(figures.updated_at) if figures else "",
            }


def _thread_cell(thread):
    return f"\n{PART_SEPARATOR}\n".join(thread)


def csv_stream(posts):
    return csv_lines(COLUMNS, ([_thread_cell(record[c]) if c == "thread" else record[c] for c in COLUMNS] for record in records(posts)))


def json_stream(posts):
    yield "["
    for number, record in enumerate(records(posts)):
        yield ("," if number else "") + json.dumps(record, ensure_ascii=False)
    yield "]"
