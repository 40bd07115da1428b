"""Logins by form (/admin/login/ and the web app's /login/) under the same password guessing limits as
the API login (accounts/login_limits.py): every attempt counts against the client IP's anonymous
budget, and wrong passwords against the source (address or known device) and the account. A
successful login leaves a known-device cookie, so a stranger's guessing never locks this browser out."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from . import login_limits


class LoginLimitsMixin:
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        try:
            login_limits.ip_check(self.request)
            login_limits.account_check(self.request, username)
        except login_limits.LoginThrottled as exc:
            raise ValidationError(exc.message, code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError as exc:
            if self.user_cache is None:  # a wrong password, not a valid login refused for another reason
                login_limits.account_failed(self.request, username)
            raise exc
        login_limits.account_succeeded(self.request, username)
        return cleaned


class LimitedAdminAuthenticationForm(LoginLimitsMixin, AdminAuthenticationForm):
    """The admin's login form."""


class LimitedAuthenticationForm(LoginLimitsMixin, AuthenticationForm):
    """The web app's login form."""
