"""Login, logout, registration, profile and the workspace switcher."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from accounts.models import Membership
from accounts.services import REGISTRATION_CONFLICT, user_register, user_update, workspace_create

from accounts.admin_login import LimitedAuthenticationForm

from ..context import SESSION_KEY, workspace_view
from ..errors import add_service_errors
from ..forms_account import ProfileForm, RegisterForm, SwitchWorkspaceForm, WorkspaceForm
from ..render import page


class LoginView(auth_views.LoginView):
    """Session login, under the API's password guessing limits (per IP and per account)."""

    template_name = "app/login.html"
    redirect_authenticated_user = True
    authentication_form = LimitedAuthenticationForm

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "registration_enabled": settings.REGISTRATION_ENABLED}


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


def register(request):
    if not settings.REGISTRATION_ENABLED:
        raise Http404("Registration is turned off on this server.")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_register(**form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except IntegrityError:  # a concurrent registration (a double submit) took the name or email
            form.add_error("username", REGISTRATION_CONFLICT)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome! Connect an account to start scheduling.")
            return redirect("webapp:accounts")
    return render(request, "app/register.html", {"form": form}, status=400 if form.errors else 200)


@workspace_view(write_role=Membership.Role.VIEWER)
def profile(request):
    form = ProfileForm(request.POST or None, initial={"timezone": request.user.timezone})
    if request.method == "POST" and form.is_valid():
        try:
            user_update(user=request.user, timezone=form.cleaned_data["timezone"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Times are now shown in {request.user.timezone}.")
            return redirect("webapp:profile")
    return page(request, "app/profile.html", {"form": form, "page_title": "Profile"}, status=400 if form.errors else 200)


@login_required
def no_workspace(request):
    """For a user who belongs to no workspace: create their own (where the operator allows it,
    WORKSPACE_CREATION_ENABLED) or learn to ask for an invitation. A member goes home."""
    if Membership.objects.filter(user=request.user).exists():
        return redirect("webapp:home")
    allowed = settings.WORKSPACE_CREATION_ENABLED or request.user.is_staff
    form = WorkspaceForm(request.POST or None, initial={"name": f"{request.user.username}'s workspace"})
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied("This server's operator does not let users create workspaces; ask for an invitation.")
        if form.is_valid():
            workspace = workspace_create(owner=request.user, name=form.cleaned_data["name"])
            request.session[SESSION_KEY] = workspace.pk
            messages.success(request, f"Welcome to {workspace.name}! Connect an account to start scheduling.")
            return redirect("webapp:home")
    context = {"form": form, "allowed": allowed, "page_title": "Your workspace"}
    return render(request, "app/no_workspace.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def switch_workspace(request):
    form = SwitchWorkspaceForm(request.POST)
    if not form.is_valid():
        raise Http404("No such workspace.")
    membership = Membership.objects.filter(user=request.user, workspace_id=form.cleaned_data["workspace"]).select_related("workspace").first()
    if membership is None:
        raise Http404("No such workspace.")
    request.session[SESSION_KEY] = membership.workspace_id
    messages.success(request, f"Now working in {membership.workspace.name}.")
    target = request.POST.get("next") or "webapp:home"
    try:  # a page of the web app that needs no id; anything else goes home
        url = reverse(target) if target.startswith("webapp:") else reverse("webapp:home")
    except NoReverseMatch:
        url = reverse("webapp:home")
    return redirect(url)
