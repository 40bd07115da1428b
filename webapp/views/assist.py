"""The writing assistant in the web app: the workspace's voice page, and the composer's Assist panel
(htmx fragments), on the same services as the API (assistant.services)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from assistant import services
from assistant.errors import AssistantError
from assistant.models import BrandVoice
from media.models import MediaFile

from ..context import Role, workspace_view
from ..forms_assist import AssistForm, HashtagAssistForm, VoiceForm
from ..render import page


@workspace_view(write_role=Role.ADMIN)
def voice(request):
    """The brand voice the assistant writes in: members read it, admins and owners change it."""
    instance = BrandVoice.objects.filter(workspace=request.workspace).first() or BrandVoice(workspace=request.workspace)
    form = VoiceForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.voice_update(workspace=request.workspace, user=request.user, changes=form.cleaned_data)
        messages.success(request, "The brand voice is saved; the assistant writes in it from now on.")
        return redirect("webapp:voice")
    context = {"form": form, "voice": instance, "assistant_on": services.is_enabled(), "page_title": "Brand voice"}
    return page(request, "app/voice.html", context, status=400 if form.errors else 200)


def _fragment(request, template, context, *, status=200):
    """A fragment of the Assist panel. An htmx request gets its errors as 200, shown in the panel where
    the person looks (htmx swaps no error response, and the browser would log one as a failure); a
    plain request gets the real status."""
    return page(request, template, context, status=200 if request.htmx else status)


@require_POST
@workspace_view()
def assist_captions(request):
    form = AssistForm(request.POST, workspace=request.workspace)
    if not form.is_valid():
        return _fragment(request, "app/_assist_results.html", {"form": form}, status=400)
    data = form.cleaned_data
    try:
        answer = services.captions(
            workspace=request.workspace, user=request.user, brief=data["brief"], accounts=list(data["accounts"]),
            n=data["n"], media_files=list(data["library_media"]),
        )
    except AssistantError as exc:
        return _fragment(request, "app/_assist_results.html", {"error": exc.message}, status=exc.status)
    accounts = {account.pk: account for account in data["accounts"]}
    groups = [{**result, "accounts": [accounts[i] for i in result["account_ids"]]} for result in answer["results"]]
    return _fragment(request, "app/_assist_results.html", {"groups": groups, "answer": answer})


@require_POST
@workspace_view()
def assist_hashtags(request):
    form = HashtagAssistForm(request.POST, workspace=request.workspace)
    if not form.is_valid():
        return _fragment(request, "app/_assist_hashtags.html", {"form": form}, status=400)
    account = form.cleaned_data["accounts"].order_by("id").first()
    try:
        answer = services.hashtags(workspace=request.workspace, user=request.user, content=form.cleaned_data["content"], account=account)
    except AssistantError as exc:
        return _fragment(request, "app/_assist_hashtags.html", {"error": exc.message}, status=exc.status)
    return _fragment(request, "app/_assist_hashtags.html", {"answer": answer, "account": account})


@require_POST
@workspace_view()
def assist_alt_text(request, media_id):
    media = get_object_or_404(MediaFile, workspace=request.workspace, pk=media_id)
    try:
        answer = services.alt_text(workspace=request.workspace, user=request.user, media=media)
    except AssistantError as exc:
        return _fragment(request, "app/_assist_alt_text.html", {"error": exc.message}, status=exc.status)
    return _fragment(request, "app/_assist_alt_text.html", {"answer": answer})


@require_POST
@workspace_view()
def assist_adapt(request):
    """The composer's main text rewritten for each network of the chosen accounts (API: assistant/adapt)."""
    form = HashtagAssistForm(request.POST, workspace=request.workspace)
    if not form.is_valid():
        return _fragment(request, "app/_assist_results.html", {"form": form}, status=400)
    accounts = list(form.cleaned_data["accounts"].order_by("id"))
    try:
        answer = services.adapt(workspace=request.workspace, user=request.user, content=form.cleaned_data["content"], accounts=accounts)
    except AssistantError as exc:
        return _fragment(request, "app/_assist_results.html", {"error": exc.message}, status=exc.status)
    by_id = {account.pk: account for account in accounts}
    groups = [{**result, "accounts": [by_id[i] for i in result["account_ids"]]} for result in answer["results"]]
    return _fragment(request, "app/_assist_results.html", {"groups": groups, "answer": answer})
