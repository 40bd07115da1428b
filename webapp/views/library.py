"""The media library: browse with thumbnails, upload several files at once (drag and drop, with
progress; the same media_upload service as the API), and edit alt text.

Built on today's MediaFile; folders, tags and processing status (media pipeline branch) slot in as
filters on `library` and fields on `MediaEditForm`."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from media.models import MediaFile
from media.services import media_set_alt_text, media_upload, too_large_message
from media.upload_limits import UploadSizeLimit

from ..context import workspace_view
from ..errors import add_service_errors, service_messages
from ..render import page, paginate

MAX_FILES_PER_UPLOAD = 20


class MediaEditForm(forms.Form):
    alt_text = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label="Alt text")


class UploadForm(forms.Form):
    alt_text = forms.CharField(required=False, max_length=2000, label="Alt text (applies to every file in this upload)")


def _render(request, upload_form=None, status=200):
    media = MediaFile.objects.filter(workspace=request.workspace).order_by("-created_at", "-id")
    kind = request.GET.get("type", "")
    if kind in MediaFile.MediaType.values:
        media = media.filter(media_type=kind)
    page_obj, base = paginate(request, media)
    return page(request, "app/library.html", {
        "page_obj": page_obj, "querystring_base": base, "upload_form": upload_form or UploadForm(),
        "types": MediaFile.MediaType.choices, "type": kind, "page_title": "Media library",
    }, status=status)


@workspace_view()
def library(request):
    return _render(request)


@csrf_exempt  # checked by _upload, once the size limit is in place: the CSRF check reads the body
@require_POST
@workspace_view()  # sign-in and role first: neither reads the body, so a stranger's upload is never read
def upload(request):
    """One or more files under `file`. Answers JSON to the page's script, else redirects back. A file
    past the upload limit is refused as it arrives (media/upload_limits.py), not once stored."""
    limit = UploadSizeLimit(request)
    request.upload_handlers.insert(0, limit)
    return _upload(request, limit)


@csrf_protect
def _upload(request, limit):
    wants_json = "application/json" in request.headers.get("Accept", "")
    form = UploadForm(request.POST)
    files = request.FILES.getlist("file")
    results, errors = [], [f"{name}: {too_large_message()}" for name in limit.refused]
    if not files and not errors:
        errors.append("Choose at least one file.")
    elif len(files) > MAX_FILES_PER_UPLOAD:
        errors.append(f"Upload at most {MAX_FILES_PER_UPLOAD} files at once.")
    elif form.is_valid():
        for uploaded in files:
            try:
                media, _created = media_upload(workspace=request.workspace, uploaded_by=request.user, uploaded_file=uploaded, alt_text=form.cleaned_data["alt_text"])
            except ValidationError as exc:
                errors.extend(f"{uploaded.name}: {m}" for ms in service_messages(exc).values() for m in ms)
            else:
                results.append({"id": media.pk, "name": media.original_filename})
    else:
        errors.extend(m for ms in form.errors.values() for m in ms)
    if wants_json:
        return JsonResponse({"ok": not errors, "uploaded": results, "errors": errors}, status=400 if errors and not results else 200)
    for name in (r["name"] for r in results):
        messages.success(request, f"Uploaded {name}.")
    for error in errors:
        messages.error(request, error)
    return redirect("webapp:library")


@workspace_view()
def media_edit(request, media_id):
    media = get_object_or_404(MediaFile, workspace=request.workspace, pk=media_id)
    form = MediaEditForm(request.POST or None, initial={"alt_text": media.alt_text})
    if request.method == "POST" and form.is_valid():
        try:
            media_set_alt_text(media=media, alt_text=form.cleaned_data["alt_text"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Alt text of {media.original_filename} saved.")
            return redirect("webapp:library")
    return page(request, "app/media_edit.html", {"media": media, "form": form, "page_title": media.original_filename}, status=400 if form.errors else 200)
