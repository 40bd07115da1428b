"""The composer: new post, edit a pending one, and the live validation the page asks for as you type
(the engine's own validators, through social_media.services.validation.validate_draft)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError

from first_comments.models import FirstComment
from media.services import media_upload
from config.numbers import MAX_ID, digits
from approvals.services import submits_instead
from social_media.models import ConnectedAccount, Post, Status
from social_media.services.posts import PENDING_STATUSES
from social_media.services.publishing_quota import post_quota_warnings
from social_media.services.queues import next_free_slot
from social_media.services.validation import thread_usage, validate_draft

from ..composer import compose_save, suggested_time
from ..context import workspace_view
from ..errors import SERVICE_ERRORS, add_service_errors
from ..forms_compose import ACTIONS, MINUTE_FORMAT, ComposeForm
from ..render import page

# The buttons' labels when the workspace requires approval and the user cannot approve (approvals/).
SUBMIT_ACTIONS = {"draft": "Save draft", "schedule": "Submit for approval", "queue": "Submit for the queue's next slot", "publish": "Submit to publish now"}
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


def _initial(post, *, with_time=True):
    """The form's fields as `post` has them (with_time=False for a copy, which gets its own time)."""
    targets = list(post.targets.all())
    initial = {
        "accounts": [t.account_id for t in targets],
        "content": post.content,
        "library_media": [link.media_id for link in post.post_media.all()],
        "scheduled_time": timezone.localtime(post.scheduled_time) if with_time and post.scheduled_time else None,
    }
    initial.update({f"variant_{t.account_id}": t.custom_content for t in targets if t.custom_content})
    initial["thread_parts"] = [part.content for part in post.thread_parts.order_by("position")]  # threads
    comment = FirstComment.objects.filter(post_id=post.pk).first()  # first_comments
    if comment is not None:
        initial.update(first_comment=comment.content, first_comment_delay=comment.delay_seconds)
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


def _thread_errors(form, exc):
    """{"thread": {"<index>": {"content": [...]}}} (services.threads, validate_thread) next to each part.
    Returns the error detail without them (None when nothing else is left to show)."""
    detail = getattr(exc, "detail", None)
    if not isinstance(detail, dict) or "thread" not in detail:
        return exc
    thread = detail["thread"]
    if isinstance(thread, dict):
        kept = [i for i, text in enumerate(form.thread_texts) if text.strip()]  # thread_value() drops empty parts
        for key, fields in thread.items():
            messages = [m for problems in (fields.values() if isinstance(fields, dict) else [fields]) for m in problems]
            index = kept[int(key)] if str(key).isdigit() and int(key) < len(kept) else None
            if index is None:
                form.add_error(None, " ".join(str(m) for m in messages))
            else:
                form.thread_errors.setdefault(index, []).extend(str(m) for m in messages)
        form.add_error(None, "Some parts of the thread have problems: see each part.")
    else:
        form.add_error(None, " ".join(str(m) for m in thread))
    rest = {key: value for key, value in detail.items() if key != "thread"}
    return ValidationError(rest) if rest else None


def _keep_upload(request, form):
    """Store the composer's upload as soon as its own fields are valid, whatever else the form gets
    wrong, and make it one of the form's library picks with its alt text on the file: a page shown
    again with errors keeps it (a file input cannot be filled in again). Returns (form, media or None)."""
    form.is_valid()
    upload = form.cleaned_data.get("upload")
    if not upload or form.has_error("upload") or form.has_error("upload_alt"):
        return form, None
    try:
        media, created = media_upload(workspace=request.workspace, uploaded_by=request.user, uploaded_file=upload, alt_text=form.cleaned_data.get("upload_alt", ""))
    except SERVICE_ERRORS as exc:
        add_service_errors(form, exc, aliases=ALIASES)
        return form, None
    if not created:
        messages.info(request, f"{upload.name} was already in the media library{f' as {media.original_filename}' if media.original_filename != upload.name else ''}; "
                      f"that file is attached{', with the alt text you typed' if form.cleaned_data.get('upload_alt', '').strip() else ''}.")
    data = form.data.copy()
    picks = data.getlist("library_media")
    data.setlist("library_media", [*picks, str(media.pk)] if str(media.pk) not in picks else picks)
    data["upload_alt"] = ""
    return ComposeForm(data, workspace=request.workspace, initial=form.initial), media


def _compose(request, post=None, initial=None, copy_of=None, suggested=False):
    form = ComposeForm(request.POST.copy() if request.method == "POST" else None, request.FILES or None, workspace=request.workspace, initial=initial)
    if suggested and request.method == "GET":  # the time follows the accounts picked until the user sets one (app.js)
        form.fields["scheduled_time"].widget.attrs["data-follow-suggestion"] = ""
    if request.method == "POST":
        form, uploaded = _keep_upload(request, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The library's picks in their order, then the file uploaded here (a pick of the same file: once).
        media = [m for m in data.get("library_media") or [] if m != uploaded] + ([uploaded] if uploaded else [])
        try:
            saved = compose_save(
                workspace=request.workspace, author=request.user, post=post, action=data["action"],
                accounts=list(data.get("accounts") or []), content=data.get("content", ""),
                custom_content=form.custom_content(), media=media, scheduled_time=data.get("scheduled_time"), queue=data.get("queue"),
                target_settings=form.target_settings(), first_comment=form.first_comment_value(), thread=form.thread_value(),
            )
        except SERVICE_ERRORS as exc:
            exc = _thread_errors(form, exc)
            if exc is not None and not _target_errors(form, exc):
                add_service_errors(form, exc, aliases=ALIASES)
        else:
            saved.refresh_from_db()
            when = timezone.localtime(saved.scheduled_time).strftime("%a %d %b %Y %H:%M:%S") if saved.scheduled_time else ""
            if saved.status == Status.PENDING_APPROVAL:
                messages.success(request, f"Submitted for approval: it goes out at {when} once an admin or owner approves it.")
            else:
                messages.success(request, SUCCESS[data["action"]].format(time=when))
            if data["action"] in ("schedule", "queue"):
                for problems in post_quota_warnings(post=saved).values():
                    for warning in problems:
                        messages.warning(request, warning)
            return redirect("webapp:post_detail", post_id=saved.pk)
    submits = submits_instead(request.workspace, request.user)
    context = {
        "form": form, "post": post, "copy_of": copy_of, "actions": SUBMIT_ACTIONS if submits else ACTIONS, "queue_slots": _queue_slots(form),
        "submits_for_approval": submits,
        "page_title": "Edit post" if post else "Compose",
    }
    return page(request, "app/compose.html", context, status=400 if form.errors else 200)


def _new_post_initial(request):
    """A new post's fields: a copy of ?duplicate=<post id> (its accounts, texts, settings and media),
    else the only connected account; the time ?at= asks for (the calendar's empty slot) when it is
    still ahead, else the next free slot of the chosen accounts' queue (composer.suggested_time)."""
    initial, copy_of = {}, None
    source = request.GET.get("duplicate", "")
    if source:
        post_id = digits(source)
        copy_of = Post.objects.filter(workspace=request.workspace, pk=post_id).prefetch_related("targets", "post_media").first() if post_id and post_id <= MAX_ID else None
        if copy_of is None:
            raise Http404("No such post.")
        initial = _initial(copy_of, with_time=False)
    accounts = list(ConnectedAccount.objects.filter(workspace=request.workspace, is_active=True).values_list("pk", flat=True)[:2])
    if not copy_of and len(accounts) == 1:
        initial["accounts"] = accounts
    asked = _future_time(request.GET.get("at", ""))
    chosen = initial.get("accounts") or []
    initial["scheduled_time"] = timezone.localtime(asked or suggested_time(workspace=request.workspace, accounts=chosen))
    return initial, copy_of, asked is None


def _future_time(value):
    """?at= read like the form's time field (in the user's zone), if it is a time still ahead."""
    try:
        at = ComposeForm.base_fields["scheduled_time"].clean(value[:40]) if value else None
    except forms.ValidationError:
        return None
    return at if at and at > timezone.now() else None


@workspace_view()
def compose(request):
    if request.method == "POST":
        return _compose(request)
    initial, copy_of, suggested = _new_post_initial(request)
    return _compose(request, initial=initial, copy_of=copy_of, suggested=suggested)


@workspace_view()
def edit(request, post_id):
    post = Post.objects.filter(workspace=request.workspace, pk=post_id).prefetch_related("targets", "post_media").first()
    if post is None:
        raise Http404("No such post.")
    if post.status not in PENDING_STATUSES:
        messages.error(request, f"This post is {post.get_status_display().lower()}; only drafts and scheduled posts can be edited.")
        return redirect("webapp:post_detail", post_id=post.pk)
    initial = _initial(post)
    suggested = initial["scheduled_time"] is None
    if suggested:  # a draft: the time it would go out at, as for a new post
        initial["scheduled_time"] = timezone.localtime(suggested_time(workspace=request.workspace, accounts=initial["accounts"]))
    return _compose(request, post, initial=initial, suggested=suggested)


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
        target_settings=form.target_settings() if accounts else {}, at=data.get("scheduled_time"),
    ) if accounts else []
    thread = thread_usage(accounts=accounts, parts=[{"content": text} for text in form.thread_texts]) if accounts else []
    response = render(request, "app/_validation.html", {"report": report, "media": list(data.get("library_media") or []), "thread": thread})
    # The time a post for these accounts would go out at, for a time field that still follows it.
    response["X-Suggested-Time"] = timezone.localtime(suggested_time(workspace=request.workspace, accounts=accounts)).strftime(MINUTE_FORMAT)
    return response
