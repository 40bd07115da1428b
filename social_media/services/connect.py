"""Connecting accounts: OAuth 2.0 (X with PKCE, Mastodon per instance) and app passwords (Bluesky).

The OAuth state is 32 random bytes, single use, bound to the user and workspace that started the flow,
and expires after settings.OAUTH_STATE_TTL_SECONDS. The callback only stores what it found as a
pending connection; the same user confirms it while signed in (services/pending.py). Tokens are encrypted by the model field before
they are stored. Reconnecting an account updates it in place and never replaces a stored refresh token
with an empty one.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from config import safe_http
from social_media.models import ConnectedAccount, OAuthApp, OAuthState
from social_media.platforms import PLATFORMS, PlatformFactory
from social_media.platforms.base import AccountProfile, PlatformError, pkce_pair

from .platforms import require_configured

OAUTH_PLATFORMS = {"x", "mastodon", "threads", "reddit", "linkedin", "facebook", "instagram"}
# Platforms connected through another one's login: one Meta login yields Facebook Pages and their
# Instagram accounts, so both start (and return to) the facebook flow and its one redirect URI.
OAUTH_FLOW = {"instagram": "facebook"}
PASSWORD_PLATFORMS = {"bluesky"}
# What a network's redirect says when the user said no (OAuth's access_denied; LinkedIn's own two).
DECLINED_ERRORS = {"access_denied", "user_cancelled_login", "user_cancelled_authorize"}


class ConnectError(Exception):
    """A connect flow failed; `message` is for the user, `field` names the input at fault.
    `from_webapp`: the failed flow was started from the web app (set by connect_finish)."""

    from_webapp = False

    def __init__(self, message, *, field="non_field_errors"):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Finished:
    """What an OAuth callback produced: the pending connection, its one-time completion token, and
    whether the flow was started from the web app (whose confirmation page the browser goes to)."""

    pending: object
    token: str
    from_webapp: bool


def callback_url(platform):
    return f"{settings.PUBLIC_BASE_URL}/api/v1/accounts/callback/{platform}/"


def normalize_instance_url(raw, *, field="instance_url"):
    """https://host[:port] from what a user typed ('mastodon.social', 'https://mastodon.social/')."""
    raw = (raw or "").strip()
    if not raw:
        raise ConnectError("This field is required.", field=field)
    if "://" not in raw:
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        port = parts.port  # ValueError for a port that is not a number or out of range
    except ValueError:  # also an unclosed [IPv6 bracket
        parts, port = None, None
    if parts is None or parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConnectError("Enter the address of the server, like https://mastodon.social.", field=field)
    if not settings.ALLOW_INSECURE_NETWORK_URLS:
        if parts.scheme != "https":
            raise ConnectError(
                "The server must use https. (A local test server over http? See ALLOW_INSECURE_NETWORK_URLS in "
                "docs/configuration.md and the README's \"Try it locally\".)", field=field,
            )
    port = f":{port}" if port else ""
    host = parts.hostname.lower()
    url = f"{parts.scheme}://{f'[{host}]' if ':' in host else host}{port}"
    # An early answer for the user; every connection (and redirect hop) is checked again by safe_http.
    try:
        return safe_http.check_url(url)
    except safe_http.Unresolvable as exc:
        raise ConnectError(exc.message, field=field)
    except safe_http.BlockedAddress:
        raise ConnectError("The server's address is not a public internet address.", field=field)


def _mastodon_app(instance_url):
    """The client credentials we registered on this instance, registering them on first use."""
    app = OAuthApp.objects.filter(platform="mastodon", instance_url=instance_url).first()
    if app:
        return app
    adapter_class = PlatformFactory.adapter_class("mastodon")
    try:
        client_id, client_secret = adapter_class.register_app(instance_url=instance_url, redirect_uri=callback_url("mastodon"))
    except PlatformError as exc:
        raise ConnectError(exc.message, field="instance_url")
    try:
        with transaction.atomic():
            return OAuthApp.objects.create(platform="mastodon", instance_url=instance_url, client_id=client_id, client_secret=client_secret)
    except IntegrityError:  # registered concurrently: use the one stored first
        return OAuthApp.objects.get(platform="mastodon", instance_url=instance_url)


def connect_start(*, user, workspace, platform, instance_url="", from_webapp=False):
    """Begin an OAuth flow; returns the URL to send the user's browser to. `from_webapp`: the web
    app started it, so the callback sends the browser back to the web app's confirmation page."""
    if platform not in OAUTH_PLATFORMS:
        raise ConnectError(f"{platform} does not connect through OAuth.", field="platform")
    require_configured(platform)
    platform = OAUTH_FLOW.get(platform, platform)
    oauth_app = None
    if platform == "mastodon":
        instance_url = normalize_instance_url(instance_url)
        oauth_app = _mastodon_app(instance_url)
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(32)
    redirect_uri = callback_url(platform)
    OAuthState.objects.create(
        state=state, platform=platform, user=user, workspace=workspace, code_verifier=verifier,
        instance_url=instance_url, redirect_uri=redirect_uri, from_webapp=from_webapp,
        expires_at=timezone.now() + timedelta(seconds=settings.OAUTH_STATE_TTL_SECONDS),
    )
    return PlatformFactory.adapter_class(platform).authorization_url(
        state=state, redirect_uri=redirect_uri, code_challenge=challenge, instance_url=instance_url, oauth_app=oauth_app
    )


def _take_state(platform, state):
    """Consume the state: it can be used once, and only before it expires."""
    if not state:
        raise ConnectError("The authorization response has no state; start connecting again.")
    with transaction.atomic():
        # A NUL cannot be in a state we issued, and PostgreSQL refuses it in a query (DataError).
        row = None if "\x00" in state else OAuthState.objects.select_for_update().filter(state=state, platform=platform).first()
        if row is None:
            raise ConnectError("This authorization link is unknown or was already used; start connecting again.")
        row.delete()
    if row.expires_at < timezone.now():
        expired = ConnectError("This authorization expired (after 10 minutes); start connecting again.")
        expired.from_webapp = row.from_webapp
        raise expired
    return row


def connect_finish(*, platform, state, code="", error="", error_description=""):
    """Finish an OAuth flow from the network's redirect: exchange the code and store the account(s)
    found as a pending connection for the user who started the flow. Returns (pending, completion
    token) as a Finished; nothing is connected until that user confirms (services.pending)."""
    row = _take_state(platform, state)
    try:
        pending, token = _finish(row, platform, code=code, error=error, error_description=error_description)
    except ConnectError as exc:
        exc.from_webapp = row.from_webapp
        raise
    return Finished(pending=pending, token=token, from_webapp=row.from_webapp)


def _finish(row, platform, *, code, error, error_description):
    from .pending import pending_connection_create
    if error:
        reason = "You declined the authorization." if error in DECLINED_ERRORS else f"The network refused: {error_description or error}."
        raise ConnectError(reason)
    if not code:
        raise ConnectError("The authorization response has no code; start connecting again.")
    oauth_app = OAuthApp.objects.filter(platform=platform, instance_url=row.instance_url).first() if row.instance_url else None
    try:
        profile = PlatformFactory.adapter_class(platform).exchange_code(
            code=code, redirect_uri=row.redirect_uri, code_verifier=row.code_verifier, instance_url=row.instance_url, oauth_app=oauth_app
        )
    except PlatformError as exc:
        raise ConnectError(exc.message)
    return pending_connection_create(user=row.user, workspace=row.workspace, platform=platform, profiles=profile)


def connect_with_password(*, user, workspace, platform, identifier, password, service_url=""):
    if platform not in PASSWORD_PLATFORMS:
        raise ConnectError(f"{platform} does not connect with a password.", field="platform")
    require_configured(platform)
    service_url = normalize_instance_url(service_url or settings.BLUESKY_DEFAULT_SERVICE, field="service_url")
    try:
        profile = PlatformFactory.adapter_class(platform).connect_with_password(identifier=identifier, password=password, service_url=service_url)
    except PlatformError as exc:  # the service refused the login, or leads to a non-public address
        raise ConnectError(exc.message, field="service_url" if safe_http.blocked_cause(exc) else "app_password")
    return account_upsert(workspace=workspace, platform=platform, profile=profile, user=user)


def account_upsert(*, workspace, platform, profile: AccountProfile, user=None):
    """Create the account, or update a reconnected one in place. Returns (account, created)."""
    with transaction.atomic():
        account = (
            ConnectedAccount.objects.select_for_update()
            .filter(workspace=workspace, platform=platform, platform_user_id=profile.platform_user_id)
            .first()
        )
        created = account is None
        if created:
            account = ConnectedAccount(workspace=workspace, platform=platform, platform_user_id=profile.platform_user_id, connected_by=user)
        account.platform_username = profile.platform_username
        account.display_name = profile.display_name or account.display_name
        account.instance_url = profile.instance_url or account.instance_url
        if profile.tokens:
            account.access_token = profile.tokens.access_token
            if profile.tokens.refresh_token:
                account.refresh_token = profile.tokens.refresh_token
            account.token_expires_at = profile.tokens.expires_at
        if profile.platform_settings:
            account.platform_settings = {**account.platform_settings, **profile.platform_settings}
            account.limits_refreshed_at = timezone.now()
        account.is_active = True
        account.needs_reconnect = False
        account.last_error = ""
        account.save()
        if created:
            from .queues import default_queue_create
            default_queue_create(account=account, timezone_name=getattr(user, "timezone", "") or "UTC")
    return account, created
