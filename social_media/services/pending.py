"""Pending connections: an OAuth callback proposes accounts, the user who started the flow confirms.

The browser's redirect back from a network reaches the callback without any sign-in, so whoever holds
the authorization link could finish the flow. The callback therefore only exchanges the code and
stores what it found (`pending_connection_create`); accounts are created when the same user, signed
in (JWT or the web app's session), confirms with the one-time completion token
(`pending_connection_complete`). One flow may find several candidates (a Meta login: the Facebook
Pages a user manages and their Instagram accounts); the user selects which to connect.

The completion token is returned once and stored as its SHA-256. Tokens and per-account settings of
the candidates are encrypted at rest; the listing (`pending_connection_get`) never decrypts them.
"""

import hashlib
import json
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Workspace
from social_media.models import ConnectedAccount, PendingConnection
from social_media.platforms.base import AccountProfile, TokenSet
from social_media.platforms.registry import PLATFORMS

from .connect import ConnectError, account_upsert

PENDING_CONNECTION_TTL = timedelta(minutes=10)
MAX_CANDIDATES = 200  # a Meta user may manage many Pages; more than this is not a real login


class PendingConnectionNotFound(ConnectError):
    """No pending connection with this token for this user (unknown, or another user's)."""


class PendingConnectionGone(ConnectError):
    """The pending connection expired or was already completed."""


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def candidate_key(platform, platform_user_id):
    return f"{platform}:{platform_user_id}"


def _public(profile, platform, key):
    return {
        "key": key, "platform": platform, "platform_user_id": profile.platform_user_id,
        "platform_username": profile.platform_username, "display_name": profile.display_name,
        "instance_url": profile.instance_url, "avatar_url": profile.avatar_url,
    }


def _secret(profile):
    tokens = profile.tokens
    return {
        "tokens": None if tokens is None else {
            "access_token": tokens.access_token, "refresh_token": tokens.refresh_token,
            "expires_at": tokens.expires_at.isoformat() if tokens.expires_at else None,
        },
        "platform_settings": profile.platform_settings,
    }


def _profile(public, secret):
    tokens = secret.get("tokens")
    return AccountProfile(
        platform_user_id=public["platform_user_id"], platform_username=public["platform_username"],
        display_name=public["display_name"], instance_url=public["instance_url"],
        tokens=None if tokens is None else TokenSet(
            tokens["access_token"], tokens["refresh_token"],
            datetime.fromisoformat(tokens["expires_at"]) if tokens["expires_at"] else None,
        ),
        platform_settings=secret.get("platform_settings") or {}, platform=public["platform"],
    )


def pending_connection_create(*, user, workspace, platform, profiles):
    """Store what a callback found. `profiles` is an AccountProfile or a list of them; each one's
    `platform` names its network (empty: the flow's). Returns (pending, completion_token)."""
    if isinstance(profiles, AccountProfile):
        profiles = [profiles]
    if not profiles:
        raise ConnectError("The network returned no account to connect.")
    if len(profiles) > MAX_CANDIDATES:
        raise ConnectError(f"The network returned more than {MAX_CANDIDATES} accounts; connect fewer at a time.")
    public, private = [], {}
    for profile in profiles:
        network = profile.platform or platform
        if network not in PLATFORMS:
            raise ConnectError(f"The network returned an account of an unknown kind ({network}).")
        key = candidate_key(network, profile.platform_user_id)
        if key in private:
            continue  # the same account listed twice (a Page reachable through two businesses)
        public.append(_public(profile, network, key))
        private[key] = _secret(profile)
    token = secrets.token_urlsafe(32)
    pending = PendingConnection.objects.create(
        user=user, workspace=workspace, platform=platform, token_hash=_hash(token), candidates=public,
        secrets=json.dumps(private), expires_at=timezone.now() + PENDING_CONNECTION_TTL,
    )
    return pending, token


def _usable(row):
    if row.completed_at is not None:
        raise PendingConnectionGone("These accounts were already connected with this link; start connecting again to add more.")
    if row.expires_at <= timezone.now():
        raise PendingConnectionGone("This connection expired (after 10 minutes); start connecting again.")


def _may_connect(user, workspace_id):
    membership = Membership.objects.filter(user=user, workspace_id=workspace_id).first()
    return membership is not None and membership.has_role(Membership.Role.ADMIN)


def pending_connection_get(*, user, token):
    """The pending connection `user` may confirm with `token`, secrets still encrypted (deferred).
    Another user's token, or a user no longer admin of the workspace, is not found."""
    row = (
        PendingConnection.objects.defer("secrets").select_related("workspace")
        .filter(token_hash=_hash(token or ""), user=user).first()
    )
    if row is None or not _may_connect(user, row.workspace_id):
        raise PendingConnectionNotFound("No pending connection matches this link for your account.")
    _usable(row)
    return row


def _chosen(candidates, select):
    keys = [c["key"] for c in candidates]
    if select is None:
        if len(keys) > 1:
            raise ConnectError("Choose which accounts to connect.", field="select")
        return keys
    select = list(dict.fromkeys(select))
    if not select:
        raise ConnectError("Choose at least one account.", field="select")
    unknown = [key for key in select if key not in keys]
    if unknown:
        raise ConnectError(f"Not offered by this connection: {', '.join(unknown[:5])}.", field="select")
    return select


def connect_workspaces(*, user):
    """The workspaces `user` may connect accounts to (admin or owner there), by name."""
    return [m.workspace for m in Membership.objects.filter(user=user).select_related("workspace").order_by("workspace__name", "id")
            if m.has_role(Membership.Role.ADMIN)]


def pending_connection_complete(*, user, token, select=None, workspace_id=None) -> list[ConnectedAccount]:
    """Connect the selected candidates (all of them when there is one and `select` is None) in the
    workspace the flow started in, or in `workspace_id`, another workspace the user is an admin of.
    Single use: a second call answers PendingConnectionGone."""
    with transaction.atomic():
        row = PendingConnection.objects.select_for_update().filter(token_hash=_hash(token or ""), user=user).first()
        if row is None or not _may_connect(user, row.workspace_id):
            raise PendingConnectionNotFound("No pending connection matches this link for your account.")
        _usable(row)
        workspace = row.workspace
        if workspace_id is not None and int(workspace_id) != row.workspace_id:
            if not _may_connect(user, workspace_id):
                raise ConnectError("Choose a workspace you are an admin of.", field="workspace")
            workspace = Workspace.objects.get(pk=workspace_id)
        chosen = _chosen(row.candidates, select)
        private = json.loads(row.secrets)
        by_key = {c["key"]: c for c in row.candidates}
        accounts = []
        for key in chosen:
            profile = _profile(by_key[key], private[key])
            account, _created = account_upsert(workspace=workspace, platform=profile.platform, profile=profile, user=user)
            accounts.append(account)
        row.completed_at = timezone.now()
        row.secrets = ""  # nothing left to take
        row.save(update_fields=["completed_at", "secrets"])
    return accounts


def pending_connections_delete_expired():
    """Delete pending connections past their expiry (the hourly cleanup job). Returns the count."""
    deleted, _ = PendingConnection.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
