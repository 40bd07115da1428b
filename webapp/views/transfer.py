"""Import (upload a CSV or JSON file, see the dry run's table with each row's errors, then import it)
and the posts export link. Every step calls transfer/importing.py or transfer/exporting.py, as the API does.
The checked rows wait in the cache for an hour between the dry run and the import (the session holds only
their key: a 2 MB file in the session would be read on every page), so the file is uploaded once."""

import secrets

from django import forms
from django.core.cache import cache
from django.shortcuts import get_object_or_404, redirect
from rest_framework.exceptions import ValidationError

from social_media.models import Status
from transfer import importing
from transfer.api import export_response
from transfer.files import check_size, read_rows
from transfer.models import ImportJob

from ..context import workspace_view
from ..render import page

SESSION_KEY = "transfer_checked_key"
CHECKED_SECONDS = 3600


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV or JSON file", help_text="Columns: text, text_<network>, accounts, time or queue, media_urls, alt_text (docs/import-export.md).")


class ModeForm(forms.Form):
    mode = forms.ChoiceField(choices=ImportJob.Mode.choices, initial=ImportJob.Mode.ROW, widget=forms.RadioSelect, label="If a row has errors")


def _page(request, status=200, **context):
    context.setdefault("form", ImportForm())
    context.setdefault("jobs", ImportJob.objects.filter(workspace=request.workspace).defer("rows", "results")[:10])
    context.setdefault("page_title", "Import and export")
    return page(request, "app/import.html", {**context, "post_statuses": Status.choices}, status=status)


def _checked(request):
    key = request.session.get(SESSION_KEY)
    stored = cache.get(key) if key else None
    return stored if stored and stored.get("workspace_id") == request.workspace.pk and stored.get("user_id") == request.user.pk else {}


def _keep_checked(request, *, filename, rows):
    key = f"transfer:checked:{secrets.token_urlsafe(16)}"
    cache.set(key, {"workspace_id": request.workspace.pk, "user_id": request.user.pk, "filename": filename, "rows": rows}, CHECKED_SECONDS)
    request.session[SESSION_KEY] = key


def _forget_checked(request):
    key = request.session.pop(SESSION_KEY, None)
    if key:
        cache.delete(key)


@workspace_view()
def import_page(request):
    form, mode_form, dry = ImportForm(), ModeForm(), None
    if request.method == "POST" and request.POST.get("action") == "import":
        mode_form = ModeForm(request.POST)
        checked = _checked(request)
        if checked and mode_form.is_valid():
            job, _ran = importing.import_start(workspace=request.workspace, user=request.user, filename=checked["filename"], rows=checked["rows"], mode=mode_form.cleaned_data["mode"])
            _forget_checked(request)
            return redirect("webapp:import_job", job_id=job.pk)
        return _page(request, status=400, import_error="Check a file first: its rows wait here between the check and the import.")
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                check_size(upload.size)
                rows = read_rows(name=upload.name, data=upload.read())
            except ValidationError as exc:
                for message in exc.detail["file"]:
                    form.add_error("file", str(message))
            else:
                dry = importing.dry_run(workspace=request.workspace, rows=rows)
                _forget_checked(request)
                _keep_checked(request, filename=upload.name, rows=rows)
    return _page(request, status=400 if form.errors else 200, form=form, mode_form=mode_form, dry=dry)


@workspace_view()
def import_job(request, job_id):
    job = get_object_or_404(ImportJob.objects.defer("rows"), workspace=request.workspace, pk=job_id)
    return _page(request, job=job, page_title=f"Import {job.pk}")


@workspace_view()
def export_posts(request):
    try:
        return export_response(workspace=request.workspace, params=request.GET)
    except ValidationError as exc:
        return _page(request, status=400, export_errors=exc.detail)
