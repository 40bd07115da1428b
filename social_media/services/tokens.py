"""Account credentials: token refresh under a row lock (X rotates refresh tokens), and what happens
when a network refuses an account for good."""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from config import metrics
from config.encryption import UndecryptableSecret, decrypt
from social_media.models import SECRET_FIELDS, ConnectedAccount
from social_media.platforms import PlatformFactory
from social_media.platforms.base import AccountDisconnected, PlatformError

from .accounts import account_fail_pending_targets

logger = logging.getLogger(__name__)


def account_mark_disconnected(*, account, message):
    """A permanent credential failure: flag the account for reconnection and fail what it would publish."""
    ConnectedAccount.objects.filter(id=account.id).update(needs_reconnect=True, last_error=message)
    account.needs_reconnect, account.last_error = True, message
    from webhooks.events import account_needs_reconnect

    account_needs_reconnect(account, message)
    return account_fail_pending_targets(account=account, message=f"{message} Reconnect the account and retry.")


def account_refresh_token(*, account_id):
    """Refresh the account's tokens under a row lock, so two workers never spend the same rotating
    refresh token. Stores access + refresh token + expiry in one UPDATE. Returns the fresh account.
    A permanent refusal marks the account `needs_reconnect` and fails its pending targets.
    Every outcome leaves a TokenRefreshLog row (the alerts' failure rate), written after the lock."""
    outcome = None
    try:
        with transaction.atomic():
            account = ConnectedAccount.objects.select_for_update().get(id=account_id)
            adapter = PlatformFactory.get_platform(account)
            try:
                tokens = adapter.refresh_access_token()
            except AccountDisconnected as exc:
                failed, outcome = exc, "disconnected"
                metrics.count_refresh(account.platform, "disconnected")
            except PlatformError:
                outcome = "failed"
                metrics.count_refresh(account.platform, "failed")
                raise
            else:
                metrics.count_refresh(account.platform, "refreshed")
                failed, outcome = None, "refreshed"
                account.access_token = tokens.access_token
                if tokens.refresh_token:  # never overwrite a stored refresh token with an empty one
                    account.refresh_token = tokens.refresh_token
                account.token_expires_at = tokens.expires_at
                account.last_error = ""
                account.save(update_fields=["access_token", "refresh_token", "token_expires_at", "last_error", "updated_at"])
    finally:
        if outcome is not None:
            from alerts.services import token_refresh_record

            token_refresh_record(account=account, outcome=outcome)
    if failed is not None:
        account_mark_disconnected(account=account, message=failed.message)
        raise failed
    return account


def refresh_expiring_tokens(*, within=timedelta(days=7)):
    """Refresh every active account whose token expires within `within`. A transient failure leaves the
    account alone (it is tried again next run); a permanent one marks it for reconnection.
    Returns (refreshed, disconnected, failed_transiently)."""
    soon = timezone.now() + within
    accounts_warn_unrefreshable(soon=soon)
    accounts = ConnectedAccount.objects.filter(
        is_active=True, needs_reconnect=False, token_expires_at__isnull=False, token_expires_at__lte=soon
    )
    refreshed = disconnected = transient = 0
    # Each adapter says whether its account can be refreshed (a refresh token, or Threads' renewable
    # long-lived access token).
    due = [a.id for a in accounts if PlatformFactory.get_platform(a).token_needs_refresh(within.total_seconds())]
    for account_id in due:
        try:
            account_refresh_token(account_id=account_id)
            refreshed += 1
        except AccountDisconnected:
            disconnected += 1
        except PlatformError as exc:
            transient += 1
            ConnectedAccount.objects.filter(id=account_id).update(last_error=f"Token refresh failed, will retry: {exc.message}")
            logger.warning("token refresh of account %s failed transiently: %s", account_id, exc.message)
    return refreshed, disconnected, transient


def accounts_warn_unrefreshable(*, soon):
    """Accounts whose network gave no refresh token (LinkedIn apps without programmatic refresh) cannot be
    renewed by this job: ask for a reconnect before the token lapses (last_error, shown by the API with
    token_expires_at), and mark the ones already lapsed `needs_reconnect`. Returns (warned, lapsed)."""
    now = timezone.now()
    unrefreshable = ConnectedAccount.objects.filter(is_active=True, needs_reconnect=False, refresh_token="", token_expires_at__lte=soon)
    lapsed = 0
    for account in unrefreshable.filter(token_expires_at__lte=now):
        account_mark_disconnected(account=account, message=f"Access to {account.get_platform_display()} @{account.platform_username} has expired.")
        lapsed += 1
    warned = 0
    for account in unrefreshable.filter(token_expires_at__gt=now):
        message = (f"Access to {account.get_platform_display()} expires on {account.token_expires_at:%Y-%m-%d %H:%M} UTC and "
                   "cannot be renewed automatically; reconnect the account before then.")
        warned += ConnectedAccount.objects.filter(id=account.id).update(last_error=message)
    return warned, lapsed


def account_check(*, account):
    """Verify the credentials with the network and store the limits it reports. Returns the profile."""
    adapter = PlatformFactory.get_platform(account)
    profile = adapter.verify_credentials()
    if profile.platform_settings:
        account.platform_settings = {**account.platform_settings, **profile.platform_settings}
    account.limits_refreshed_at = timezone.now()
    account.last_error = ""
    account.save(update_fields=["platform_settings", "limits_refreshed_at", "last_error", "updated_at"])
    return profile


def refresh_account_limits():
    """Daily: re-read every active account's limits (e.g. Mastodon max_characters). Returns (ok, failed)."""
    ok = failed = 0
    for account in ConnectedAccount.objects.filter(is_active=True, needs_reconnect=False):
        try:
            account_check(account=account)
            ok += 1
        except AccountDisconnected as exc:
            account_mark_disconnected(account=account, message=exc.message)
            failed += 1
        except PlatformError as exc:
            failed += 1
            logger.warning("could not refresh limits of account %s: %s", account.id, exc.message)
    return ok, failed


def stored_secrets(path=""):
    """Annotations reading the token columns of the ConnectedAccount at `path` as stored (encrypted, not
    decrypted on load), for account_load_secrets(stored_on=...): a batch reads them with its own query, and
    each account is decrypted when used, so one undecryptable account stays its own target's error."""
    prefix = f"{path}__" if path else ""
    return {f"stored_{name}": Cast(prefix + name, output_field=TextField()) for name in SECRET_FIELDS}


def account_load_secrets(*, account, stored_on=None):
    """Set the account's tokens: decrypted from `stored_on`, a row annotated with stored_secrets (the
    engine's batch), else read from the database (deferred where it was loaded). Tokens no configured key
    decrypts are the account's problem, not the engine's: the account is marked needs_reconnect with a
    message that says so, and AccountDisconnected is raised for the caller's target."""
    try:
        if stored_on is None:
            account.refresh_from_db(fields=SECRET_FIELDS)
        else:
            for name in SECRET_FIELDS:
                value = getattr(stored_on, f"stored_{name}")
                setattr(account, name, decrypt(value) if value else value)
    except UndecryptableSecret:
        message = (
            f"The stored credentials of the {account.get_platform_display()} account @{account.platform_username} "
            "cannot be decrypted with this server's ENCRYPTION_KEYS (was a key removed before "
            "rotate_encryption_keys ran?). Restore the old key, or reconnect the account."
        )
        logger.error("Undecryptable tokens of account %s; marked for reconnection.", account.id)
        account_mark_disconnected(account=account, message=message)
        raise AccountDisconnected(message) from None
