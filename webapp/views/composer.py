"""The composer: new post, edit a pending one, and the live validation the page asks for as you type
(the engine's own validators, through social_media.services.validation.validate_draft)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError

from media.services import media_upload
from social_media.models import Post
from social_media.services.posts import PENDING_STATUSES
from social_media.services.queues import next_free_slot
from social_media.services.validation import validate_draft

from ..composer import compose_save
from ..context import workspace_view
from ..errors import SERVICE_ERRORS, add_service_errors
from ..forms_compose import ACTIONS, ComposeForm
from ..render import page

SUCCESS = {
    "draft": "Draft saved.",
    "schedule": "Scheduled for {time}.",
    "queue": "Added to the queue: it goes out at {time}.",
    "publish": "Publishing now.",
}
ALIASES = {"scheduled_time": "scheduled_time", "target_accounts": "accounts", "media_ids": "library_media", "file": "upload", "post_id": None}


def _queue_slots(form):
    """[(queue, next free slot or None)] for the queue picker."""
    slots = []
    for queue in form.fields["queue"].queryset:
        try:
            slots.append((queue, next_free_slot(queue)))
        except ValidationError:
            slots.append((queue, None))
    return slots


def _initial(post):
    targets = list(post.targets.all())
    initial = {
        "accounts": [t.account_id for t in targets],
        "content": post.content,
        "library_media": [link.media_id for link in post.post_media.all()],
        "scheduled_time": timezone.localtime(post.scheduled_time) if post.scheduled_time else None,
    }
    initial.update({f"variant_{t.account_id}": t.custom_content for t in targets if t.custom_content})
    for target in targets:
        for key, value in (target.platform_specific_settings or {}).items():
            initial[ComposeForm.setting_name(target.account_id, key)] = value
    return initial


def _target_errors(form, exc):
    """validate_post's {"targets": {"<account id>": [...]}} go to the text, each with its account, and
    {"target_settings": {"<account id>": {"title": [...]}}} next to that account's setting field."""
    detail = getattr(exc, "detail", None)
    if not isinstance(detail, dict) or not (isinstance(detail.get("targets"), dict) or isinstance(detail.get("target_settings"), dict)):
        return False
    accounts = {str(a.pk): a for a in form.account_list}

    def label(key):
        account = accounts.get(str(key))
        return f"{account.get_platform_display()} @{account.platform_username}: " if account else ""

    for key, problems in (detail.get("targets") or {}).items():
        for problem in problems:
            form.add_error("content", f"{label(key)}{problem}")
    for key, fields in (detail.get("target_settings") or {}).items():
        for name, problems in (fields.items() if isinstance(fields, dict) else [("non_field_errors", fields)]):
            field = ComposeForm.setting_name(key, name)
            for problem in problems:
                if field in form.fields:  # next to the setting
                    form.add_error(field, problem)
                else:  # no such field (an unknown key, a NUL): with the text, naming the account
                    form.add_error("content", f"{label(key)}{problem}")
    return True


def _compose(request, post=None):
    form = ComposeForm(request.POST or None, request.FILES or None, workspace=request.workspace, initial=_initial(post) if post else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        media = list(data.get("library_media") or [])
        try:
            if data.get("upload"):
                upload, _created = media_upload(workspace=request.workspace, uploaded_by=request.user, uploaded_file=data["upload"], alt_text=data.get("upload_alt", ""))
                if upload not in media:  # the same bytes as a picked library file: that file, attached once
                    media.append(upload)
            saved = compose_save(
                workspace=request.workspace, author=request.user, post=post, action=data["action"],
                accounts=list(data.get("accounts") or []), content=data.get("content", ""),
                custom_content=form.custom_content(), media=media, scheduled_time=data.get("scheduled_time"), queue=data.get("queue"),
                target_settings=form.target_settings(),
            )
        except SERVICE_ERRORS as exc:
            if not _target_errors(form, exc):
                add_service_errors(form, exc, aliases=ALIASES)
        else:
            saved.refresh_from_db()
            when = timezone.localtime(saved.scheduled_time).strftime("%a %d %b %Y %H:%M:%S") if saved.scheduled_time else ""
            messages.success(request, SUCCESS[data["action"]].format(time=when))
            return redirect("webapp:post_detail", post_id=saved.pk)
    context = {"form": form, "post": post, "actions": ACTIONS, "queue_slots": _queue_slots(form), "page_title": "Edit post" if post else "Compose"}
    return page(request, "app/compose.html", context, status=400 if form.errors else 200)


@workspace_view()
def compose(request):
    return _compose(request)


@workspace_view()
def edit(request, post_id):
    post = Post.objects.filter(workspace=request.workspace, pk=post_id).prefetch_related("targets", "post_media").first()
    if post is None:
        raise Http404("No such post.")
    if post.status not in PENDING_STATUSES:
        messages.error(request, f"This post is {post.get_status_display().lower()}; only drafts and scheduled posts can be edited.")
        return redirect("webapp:post_detail", post_id=post.pk)
    return _compose(request, post)


@require_POST
@workspace_view(write_role="viewer")
def validate(request):
    """The live counters and errors: the composer posts its fields here as the user types."""
    form = ComposeForm(request.POST, workspace=request.workspace)
    form.is_valid()  # read what is valid; the rest is ignored until the real submit
    data = form.cleaned_data
    accounts = list(data.get("accounts") or [])
    report = validate_draft(
        accounts=accounts, content=data.get("content", ""),
        custom_content=form.custom_content() if accounts else {}, media_files=list(data.get("library_media") or []),
        target_settings=form.target_settings() if accounts else {},
    ) if accounts else []
    return render(request, "app/_validation.html", {"report": report, "media": list(data.get("library_media") or [])})
