from django.contrib import messages
from rest_framework.exceptions import APIException

from ..models import Status

ACCOUNT_SECRETS = ("access_token", "refresh_token")
ACTIVE_STATUSES = {Status.SCHEDULED, Status.QUEUED, Status.PUBLISHING, Status.DELETING, Status.UNCONFIRMED}


def without_account_secrets(queryset, path):
    """select_related the account at `path` without loading (and decrypting) its tokens."""
    return queryset.select_related(path).defer(*(f"{path}__{name}" for name in ACCOUNT_SECRETS))


def describe(detail):
    """A DRF error detail (string, list or dict of them) as one line of text."""
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {describe(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return " ".join(describe(item) for item in detail)
    return str(detail)


def run_per_object(modeladmin, request, queryset, service, done):
    """Call `service(obj)` for each selected object; report successes once and each refusal by name."""
    succeeded = 0
    for obj in queryset:
        try:
            service(obj)
        except APIException as exc:
            modeladmin.message_user(request, f"{obj}: {describe(exc.detail)}", messages.WARNING)
        else:
            succeeded += 1
    if succeeded:
        modeladmin.message_user(request, f"{succeeded} {done}.", messages.SUCCESS)


class ReadOnlyMixin:
    """Rows written only by the engine or the OAuth flow: staff may look (and delete), not edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
