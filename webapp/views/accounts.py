"""Connected accounts: health, connect buttons for every network the registry has and this server
is configured for, and disconnect. The OAuth callback itself stays in the API
(/api/v1/accounts/callback/<platform>/): it stores a pending connection and links to `connect_complete`
here, where the user who started connecting, signed in, chooses which of the authorized accounts to
connect (one Meta login yields every Page and its Instagram account) through
`pending_connection_complete`, the service the API's /accounts/connect/complete/ calls."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect

from accounts.models import Membership
from social_media.models import ConnectedAccount
from social_media.platforms import PLATFORMS, PlatformFactory
from social_media.services.accounts import account_disconnect
from social_media.services.connect import PASSWORD_PLATFORMS, ConnectError, connect_start, connect_with_password
from social_media.services.pending import pending_connection_complete, pending_connection_get

from django.contrib.auth.decorators import login_required

from ..context import workspace_view
from ..errors import SERVICE_ERRORS, flash_service_error, run_service
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
    forms_by_key = forms_by_key or {}
    items = [{**n, "form": forms_by_key.get(n["key"]) or ConnectForm(network=n)} for n in networks()]
    return page(request, "app/accounts.html", {"page_obj": page_obj, "querystring_base": base, "networks": items, "page_title": "Accounts"}, status=status)


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
                return redirect(connect_start(user=request.user, workspace=request.workspace, platform=platform, instance_url=data.get("instance_url", "")))
        except ConnectError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Connected {account}.")
            return redirect("webapp:accounts")
    return _render(request, {platform: form}, status=400)


@workspace_view(write_role=Membership.Role.ADMIN)
def disconnect(request, account_id):
    account = get_object_or_404(ConnectedAccount, workspace=request.workspace, pk=account_id)
    if request.method != "POST":
        return redirect("webapp:accounts")
    run_service(request, lambda: account_disconnect(account=account), f"Disconnected {account}. Its waiting posts were marked failed.")
    return redirect("webapp:accounts")


@login_required
def connect_complete(request, token):
    """Confirm a pending connection: the authorized accounts, checked by default; connect the chosen."""
    try:
        pending = pending_connection_get(user=request.user, token=token)
    except SERVICE_ERRORS as exc:
        flash_service_error(request, exc)
        return redirect("webapp:accounts")
    if request.method == "POST":
        try:
            connected = pending_connection_complete(user=request.user, token=token, select=request.POST.getlist("select") or None)
        except SERVICE_ERRORS as exc:
            flash_service_error(request, exc)
            return redirect("webapp:connect_complete", token=token)
        request.session["workspace_id"] = pending.workspace_id
        names = ", ".join(f"{PLATFORMS[a.platform][0]} @{a.platform_username}" for a in connected)
        messages.success(request, f"Connected {names}.")
        return redirect("webapp:accounts")
    candidates = [{**c, "label": PLATFORMS.get(c["platform"], (c["platform"],))[0]} for c in pending.candidates]
    return page(request, "app/connect_complete.html", {"pending": pending, "candidates": candidates, "token": token, "page_title": "Confirm the connection"})
