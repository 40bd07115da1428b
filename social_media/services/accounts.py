"""Connected accounts: edit, deactivate, disconnect; what of their settings may be shown."""

import re

from django.db import transaction
from rest_framework.exceptions import ValidationError

from social_media.models import ConnectedAccount, PostTarget, Status

from .posts import SCHEDULED_STATUSES, UNSET, posts_refresh_status

DISCONNECTED_MESSAGE = "The account was disconnected; reconnect it and retry."
CREDENTIAL_KEY = re.compile(r"token|secret|password|jwt|session|cookie", re.IGNORECASE)


def platform_settings_shown(value):
    """`platform_settings` without credential-like keys, at any depth, should an adapter ever store
    one (a Page token in a list of Pages): what the API and the admin show."""
    if isinstance(value, dict):
        return {k: platform_settings_shown(v) for k, v in value.items() if not CREDENTIAL_KEY.search(str(k))}
    if isinstance(value, list):
        return [platform_settings_shown(item) for item in value]
    return value


def _lock_account(account):
    account.refresh_from_db(from_queryset=ConnectedAccount.objects.select_for_update())


def _lock_waiting_targets(account):
    """Lock the account's targets no worker has claimed yet; returns their ids (in id order)."""
    waiting = PostTarget.objects.select_for_update().filter(account_id=account.pk, status__in=SCHEDULED_STATUSES)
    return list(waiting.order_by("id").values_list("pk", flat=True))


def _fail_targets(ids, message):
    """Fail the (locked) targets with `message`, compare-and-set, and refresh their posts' status."""
    PostTarget.objects.filter(pk__in=ids, status__in=SCHEDULED_STATUSES).update(
        status=Status.FAILED, error_message=message, next_attempt_at=None, dispatched_at=None, claimed_at=None
    )
    posts_refresh_status(post_ids=set(PostTarget.objects.filter(pk__in=ids).values_list("post_id", flat=True)))


@transaction.atomic
def account_fail_pending_targets(*, account, message):
    """Fail every target of the account that no worker has claimed yet. Returns how many."""
    ids = _lock_waiting_targets(account)
    _fail_targets(ids, message)
    return len(ids)


@transaction.atomic
def account_deactivate(*, account):
    """Stop publishing to the account: it becomes inactive and every target still waiting for it
    (scheduled or queued, compare-and-set so a target a worker already claimed is left alone) fails
    with a message telling the user to reconnect."""
    # Targets first, then the account, then posts: the order the engine takes its locks in.
    ids = _lock_waiting_targets(account)
    _lock_account(account)
    account.is_active = False
    account.save(update_fields=["is_active", "updated_at"])
    _fail_targets(ids, DISCONNECTED_MESSAGE)
    return account


@transaction.atomic
def account_disconnect(*, account):
    """Deactivate the account and wipe its credentials; reconnecting it is the only way back."""
    account_deactivate(account=account)
    account.access_token = ""
    account.refresh_token = ""
    account.token_expires_at = None
    account.save(update_fields=["access_token", "refresh_token", "token_expires_at", "updated_at"])
    return account


@transaction.atomic
def account_update(*, account, display_name=UNSET, is_active=UNSET):
    """What a workspace admin may change: the display name, and switching the account off or back on
    (on only while it still holds valid credentials)."""
    if is_active is False:
        account_deactivate(account=account)  # locks targets, then the account
    else:
        _lock_account(account)
    if is_active is True and not account.is_active:
        if not account.access_token or account.needs_reconnect:
            raise ValidationError({"is_active": ["This account has no valid credentials; reconnect it to turn it on."]})
        account.is_active = True
        account.save(update_fields=["is_active", "updated_at"])
    if display_name is not UNSET:
        account.display_name = display_name
        account.save(update_fields=["display_name", "updated_at"])
    return account
