"""/admin/login/ under the same password guessing limits as the API login (accounts/login_limits.py):
every attempt counts against the client IP's anonymous budget, and wrong passwords against the account."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from . import login_limits


class LimitedAdminAuthenticationForm(AdminAuthenticationForm):
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        try:
            login_limits.ip_check(self.request)
            login_limits.account_check(username)
        except login_limits.LoginThrottled as exc:
            raise ValidationError(exc.message, code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError as exc:
            if self.user_cache is None:  # a wrong password, not a valid non-staff login
                login_limits.account_failed(username)
            raise exc
        login_limits.account_succeeded(username)
        return cleaned
