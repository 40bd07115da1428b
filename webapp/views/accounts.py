"""Connected accounts: health, connect buttons for every network the registry has and this server
is configured for, and disconnect. The OAuth callback itself stays in the API
(/api/v1/accounts/callback/<platform>/): it stores a pending connection and links to `connect_complete`
here, where the user who started connecting, signed in, chooses which of the authorized accounts to
connect (one Meta login yields every Page and its Instagram account) through
`pending_connection_complete`, the service the API's /accounts/connect/complete/ calls."""

import re
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize

from accounts.models import Membership
from social_media.models import ConnectedAccount
from social_media.platforms import PLATFORMS, PlatformFactory, public_media
from social_media.services.accounts import account_disconnect
from social_media.services.connect import PASSWORD_PLATFORMS, ConnectError, connect_start, connect_with_password
from social_media.services.pending import connect_workspaces, pending_connection_complete, pending_connection_get

from django.contrib.auth.decorators import login_required

from ..context import workspace_view
from ..errors import SERVICE_ERRORS, flash_service_error, run_service, service_messages
from ..render import page, paginate


class ConnectForm(forms.Form):
    """Fields a network's connect flow needs: an instance for per-instance OAuth networks (Mastodon),
    a handle, app password and service for password networks (Bluesky)."""

    instance_url = forms.CharField(required=False, max_length=300, label="Server", widget=forms.TextInput(attrs={"placeholder": "mastodon.social"}))
    handle = forms.CharField(required=False, max_length=253, label="Handle", widget=forms.TextInput(attrs={"placeholder": "you.bsky.social", "autocomplete": "username"}))
    app_password = forms.CharField(required=False, max_length=200, label="App password", widget=forms.PasswordInput(attrs={"autocomplete": "off"}), help_text="Create one in the network's settings; never your main password.")
    service_url = forms.CharField(required=False, max_length=300, label="Server (optional)", help_text="Leave empty for the network's main server.")

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, prefix=network["key"], **kwargs)
        self.network = network
        for name in list(self.fields):
            if name not in network["fields"]:
                del self.fields[name]
        for name in network["required"]:
            self.fields[name].required = True


def networks():
    """Every registry network enabled and configured on this server, with what its connect form asks."""
    result = []
    for key, (label, _path) in PLATFORMS.items():
        if not getattr(settings, f"{key.upper()}_ENABLED", True):
            continue
        cls = PlatformFactory.adapter_class(key)
        missing = [name for name in getattr(cls, "required_settings", ()) if not getattr(settings, name, "")]
        style = "password" if key in PASSWORD_PLATFORMS or getattr(cls, "connect_style", "") == "password" else "oauth"
        if style == "password":
            fields, required = ["handle", "app_password", "service_url"], ["handle", "app_password"]
        elif hasattr(cls, "register_app"):  # one OAuth app per instance: ask which instance
            fields, required = ["instance_url"], ["instance_url"]
        else:
            fields, required = [], []
        result.append({"key": key, "label": label, "style": style, "missing": missing, "fields": fields, "required": required})
    return result


def _render(request, forms_by_key=None, status=200):
    accounts = ConnectedAccount.objects.filter(workspace=request.workspace).order_by("platform", "platform_username", "id")
    page_obj, base = paginate(request, accounts)
    _note_media_address_problems(page_obj)
    forms_by_key = forms_by_key or {}
    items = [{**n, "form": forms_by_key.get(n["key"]) or ConnectForm(network=n)} for n in networks()]
    return page(request, "app/accounts.html", {"page_obj": page_obj, "querystring_base": base, "networks": items, "page_title": "Accounts"}, status=status)


def _note_media_address_problems(page_obj):
    """Instagram and Threads download media from this server's public address: when it has none (PUBLIC_BASE_URL
    unset, no S3), say so on each such account, with the message scheduling refuses their media posts with."""
    page_obj.object_list, problems = list(page_obj.object_list), {}
    for account in page_obj.object_list:
        if account.platform not in problems:
            problems[account.platform] = public_media.server_problem(account.platform)
        account.media_address_problem = problems[account.platform]


@workspace_view(write_role=Membership.Role.ADMIN)
def account_list(request):
    return _render(request)


@workspace_view(write_role=Membership.Role.ADMIN)
def connect(request, platform):
    if request.method != "POST":
        return redirect("webapp:accounts")
    network = next((n for n in networks() if n["key"] == platform), None)
    if network is None:
        messages.error(request, f"{platform} cannot be connected on this server.")
        return redirect("webapp:accounts")
    form = ConnectForm(request.POST, network=network)
    if network["missing"]:
        form.add_error(None, f"{network['label']} is not set up on this server (missing {', '.join(network['missing'])}).")
    elif form.is_valid():
        data = form.cleaned_data
        try:
            if network["style"] == "password":
                account, _created = connect_with_password(
                    user=request.user, workspace=request.workspace, platform=platform,
                    identifier=data["handle"], password=data["app_password"], service_url=data.get("service_url", ""),
                )
            else:
                url = connect_start(user=request.user, workspace=request.workspace, platform=platform, instance_url=data.get("instance_url", ""), from_webapp=True)
                return _leave_for(request, network, url)
        except ConnectError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Connected {account}.")
            return redirect("webapp:accounts")
    return _render(request, {platform: form}, status=400)


def _leave_for(request, network, url):
    """Send the browser to the network's authorization page with a GET navigation of its own.

    Not a 302 answer to the form's POST: browsers apply the CSP's form-action to every redirect a
    form submission follows (Chromium refuses "form-action 'self'" for the network's authorize URL,
    and the button seems to do nothing). Listing the networks' origins in form-action would not do
    either: a Mastodon instance is whatever server the user types. So the POST answers this small
    page of our own, which navigates on with <meta http-equiv="refresh"> (no script, so no CSP
    exception; the HTML standard makes a refresh replace the history entry, so Back from the
    network does not bounce the user there again) and shows the same address as a link."""
    host = urlsplit(url).netloc
    response = page(request, "app/connect_redirect.html", {"network": network, "authorize_url": url, "host": host, "page_title": f"Connect {network['label']}"})
    response["Cache-Control"] = "no-store"  # it carries a single-use state
    response["Referrer-Policy"] = "no-referrer"
    return response


@workspace_view(write_role=Membership.Role.ADMIN)
def disconnect(request, account_id):
    account = get_object_or_404(ConnectedAccount, workspace=request.workspace, pk=account_id)
    if request.method != "POST":
        return redirect("webapp:accounts")
    run_service(request, lambda: account_disconnect(account=account), f"Disconnected {account}. Its waiting posts were marked failed.")
    return redirect("webapp:accounts")


@login_required
def connect_complete(request, token):
    """Back from the network: the accounts it authorized, with their names and pictures, checked; the
    workspace the flow started in preselected; one button connects the chosen ones there."""
    try:
        pending = pending_connection_get(user=request.user, token=token)
    except SERVICE_ERRORS as exc:
        flash_service_error(request, exc)
        return redirect("webapp:accounts")
    workspaces = connect_workspaces(user=request.user)
    errors = []
    if request.method == "POST":
        chosen = request.POST.getlist("select")
        workspace_id = request.POST.get("workspace") or None
        if workspace_id is not None and not workspace_id.isdigit():
            workspace_id = None
        try:
            if not chosen:
                raise ConnectError("Choose at least one account.", field="select")
            connected = pending_connection_complete(user=request.user, token=token, select=chosen, workspace_id=workspace_id)
        except SERVICE_ERRORS as exc:
            errors = [m for ms in service_messages(exc).values() for m in ms]
        else:
            request.session["workspace_id"] = connected[0].workspace_id
            names = ", ".join(f"{PLATFORMS[a.platform][0]} @{a.platform_username}" for a in connected)
            messages.success(request, f"Connected {names}.")
            return redirect("webapp:accounts")
    label = PLATFORMS.get(pending.platform, (pending.platform,))[0]
    candidates = [{**c, "label": PLATFORMS.get(c["platform"], (c["platform"],))[0], "avatar": _avatar_origin(c) and c["avatar_url"]} for c in pending.candidates]
    selected = set(request.POST.getlist("select")) if request.method == "POST" else {c["key"] for c in candidates}
    chosen_workspace = request.POST.get("workspace") or str(pending.workspace_id)
    response = page(request, "app/connect_complete.html", {
        "pending": pending, "candidates": candidates, "selected": selected, "workspaces": workspaces,
        "chosen_workspace": chosen_workspace, "errors": errors, "network_label": label,
        "page_title": f"Connect your {label} account{pluralize(len(candidates))}",
    }, status=400 if errors else 200)
    origins = list(dict.fromkeys(filter(None, map(_avatar_origin, candidates))))
    if origins:  # the pictures come from the network: allowed on this page only, from those origins only
        response._csp_update = response._csp_update_ro = {"img-src": origins}
    response["Cache-Control"] = "no-store"
    # Its address holds the completion token: sent to no other site. (Not no-referrer: Chromium then
    # sends the form's POST with "Origin: null", which Django's CSRF check refuses.)
    response["Referrer-Policy"] = "same-origin"
    return response


HOSTNAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")


def _avatar_origin(candidate):
    """The origin of a candidate's picture when the page may show it (https; http only where local
    test servers are allowed), else "". The network chose the URL, and the origin goes into a CSP
    header: only a plain host name and port pass (no ';', quotes, spaces or user info that could add
    a directive or a source)."""
    try:
        parts = urlsplit(candidate.get("avatar_url") or "")
        host, port = (parts.hostname or ""), parts.port
    except ValueError:
        return ""
    if parts.scheme == "https" or (parts.scheme == "http" and settings.ALLOW_INSECURE_NETWORK_URLS):
        if HOSTNAME.fullmatch(host) and not parts.username and parts.netloc.lower() == (f"{host}:{port}" if port else host):
            return f"{parts.scheme}://{host}{f':{port}' if port else ''}"
    return ""
