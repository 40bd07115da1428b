"""The adapter contract every network implements, its result types and its error hierarchy.

An adapter wraps one network's client library. It is built for one ConnectedAccount
(`PlatformFactory.get_platform(account)`) and never touches the database itself except through the
account object it was given (the engine saves it). Everything a network can answer is translated, in
one place per adapter, into the exceptions below; the engine decides retries from the class alone.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Sequence


# --- Errors ---------------------------------------------------------------------------------
class PlatformError(Exception):
    """Base: `message` is shown to the user as the target's error; `http_status` when known."""

    retryable = False

    def __init__(self, message: str, *, http_status: int | None = None):
        super().__init__(message)
        self.message = message
        self.http_status = http_status


class RateLimited(PlatformError):
    """The network asked us to slow down; retry no sooner than `retry_after` seconds."""

    retryable = True

    def __init__(self, message="The network's rate limit was reached.", *, retry_after: float | None = None, http_status=429):
        super().__init__(message, http_status=http_status)
        self.retry_after = retry_after


class TransientError(PlatformError):
    """Network down, 5xx, connection refused before anything was sent: safe to retry with backoff."""

    retryable = True


class TokenExpired(PlatformError):
    """The access token is no longer valid; refresh it and retry once."""


class AccountDisconnected(PlatformError):
    """Permanent: credentials revoked or account gone. The account needs to be reconnected."""


class InvalidContent(PlatformError):
    """Permanent: the post itself is wrong for this network. `errors` lists every problem found."""

    def __init__(self, message: str, *, errors: Sequence[str] = (), http_status=None):
        super().__init__(message, http_status=http_status)
        self.errors = list(errors) or [message]


class OutcomeUnknown(PlatformError):
    """The request may have reached the network (timeout after sending, reset mid-response):
    reconcile before any retry; never repost blindly."""


# --- Results --------------------------------------------------------------------------------
@dataclass(frozen=True)
class PublishResult:
    platform_post_id: str
    url: str
    published_at: datetime | None = None


@dataclass(frozen=True)
class Metrics:
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    impressions: int = 0
    clicks: int = 0
    raw: dict = field(default_factory=dict)


# --- Account metrics (analytics, issue 15) ----------------------------------------------------
@dataclass(frozen=True)
class AccountMetrics:
    """An account's audience as the network reports it now. None: the network does not tell."""

    followers: int | None = None
    following: int | None = None
    posts: int | None = None
    raw: dict = field(default_factory=dict)


class AccountMetricsUnavailable(PlatformError):
    """The network (or this kind of account on it) offers no audience figures to this app: a LinkedIn
    member, a Bluesky PDS without an AppView. Permanent for the account; the message says why."""


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str = ""  # empty: the network did not send a new one; keep the stored one
    expires_at: datetime | None = None


@dataclass(frozen=True)
class AccountProfile:
    """What a connect flow learns about the account."""

    platform_user_id: str
    platform_username: str
    display_name: str = ""
    instance_url: str = ""
    tokens: TokenSet | None = None
    platform_settings: dict = field(default_factory=dict)
    # The registry key of the account this profile describes, when one flow yields accounts of several
    # networks (one Meta login: Facebook Pages and their Instagram accounts). Empty: the flow's platform.
    platform: str = ""
    # The account's picture as the network serves it (shown on the web app's confirmation page).
    avatar_url: str = ""


@dataclass(frozen=True)
class MediaItem:
    """One attachment as the adapter sees it: bytes are read lazily from storage."""

    media_id: int
    media_type: str  # image | gif | video
    mime_type: str
    file_size: int
    width: int | None
    height: int | None
    duration: float | None
    alt_text: str
    open: callable  # () -> binary file object
    # () -> str: a signed, expiring URL the network's servers can fetch this file from (Instagram and
    # Threads take media by URL). None where the deployment cannot offer one.
    public_url: callable | None = None
    # Identifies these exact bytes (the stored file name of the original or rendition): the key under
    # which an upload of them to a network is cached (media.upload_cache). Empty: do not cache.
    cache_key: str = ""


@dataclass(frozen=True)
class TargetSetting:
    """One setting of a target (a key of its platform_specific_settings), as a composer asks for it."""

    key: str
    label: str
    help_text: str = ""
    max_length: int = 300
    required: bool = False


@dataclass(frozen=True)
class ThreadReply:
    """Where a thread's part goes (docs/threads.md): under `parent`, the part before it, in the thread
    that `root` (part 0, the target's own post) starts."""

    root: PublishResult
    parent: PublishResult


def part_idempotency_key(target, position: int) -> str:
    """The idempotency key of part `position` of `target`'s thread: derived from the target's own key
    (part 0 uses that key itself), so every attempt at a part sends the same key."""
    if position == 0:
        return str(target.idempotency_key)
    return str(uuid.uuid5(uuid.UUID(str(target.idempotency_key)), f"thread-part:{position}"))


@dataclass(frozen=True)
class Reconciliation:
    """Answer of `reconcile`: `found` with the result, `not_found` (safe to retry), or neither (unknown)."""

    found: PublishResult | None = None
    not_found: bool = False


# --- OAuth helpers shared by adapters -------------------------------------------------------
def pkce_pair() -> tuple[str, str]:
    """(code_verifier, code_challenge) for OAuth 2.0 PKCE with S256."""
    verifier = secrets.token_urlsafe(64)[:96]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


# --- The contract ---------------------------------------------------------------------------
class PlatformAdapter:
    """Base class. `platform` is the registry key. Subclasses implement the methods that raise
    NotImplementedError; `connect_oauth`-style networks implement `authorization_url` and
    `exchange_code`, password-style networks implement `connect_with_password`."""

    platform: str = ""
    # Whether the network lets us make publish idempotent (record key / Idempotency-Key header).
    idempotent_publish: bool = False
    # Conservative posting limit for the per-account token bucket: (posts, per seconds).
    posting_rate: tuple[int, int] = (300, 3 * 3600)
    # Django settings that must be non-empty before an account can be connected on this server
    # (e.g. ("X_CLIENT_ID",)); connect answers a clear error naming the missing ones.
    required_settings: tuple[str, ...] = ()
    # "oauth": connect/ answers an authorization URL; "password": connect/ takes the credentials.
    connect_style: str = "oauth"
    # The network's published content limits, for GET /api/v1/platforms/ (a composer needs them before
    # any account exists), e.g. {"max_characters": 280, "max_images": 4}. Read-only.
    content_limits: dict = {}
    # The settings a target on this network takes besides its text (platform_specific_settings), for
    # the web composer's fields: Reddit's subreddit and title. Checked by validate_target_settings.
    target_setting_fields: tuple["TargetSetting", ...] = ()

    def __init__(self, account):
        self.account = account

    @classmethod
    def warm(cls) -> None:
        """Pay, once per worker process at start (social_media.services.warmup), what the first publish
        would otherwise pay: building client-library models, compiling rules. No network, no account."""

    # Validation: return a list of user-facing error strings; empty means valid.
    def validate(self, content: str, media: Sequence[MediaItem]) -> list[str]:
        raise NotImplementedError

    def publishing_quota(self) -> tuple[int, int] | None:
        """(posts, per seconds) the network lets apps publish to this account, when it has such a limit
        (Instagram's content_publishing_limit, Threads' 250 a day): scheduling warns past it
        (social_media.services.publishing_quota). None: no such limit (the default)."""
        return None

    def validate_target_settings(self, settings: dict) -> dict[str, list[str]]:
        """Field errors of a target's `platform_specific_settings` for this network, checked when the
        post is scheduled: {"title": ["Reddit posts need a title."]}. Empty when valid (the default)."""
        return {}

    def text_usage(self, content: str) -> tuple[int, int | None]:
        """(length of `content` counted the network's way, the account's limit or None) for a
        composer's counter. Default: code points against content_limits["max_characters"]."""
        return len(content or ""), self.content_limits.get("max_characters")

    def publish(self, target, content: str, media: Sequence[MediaItem]) -> PublishResult:
        """Publish `content` with `media` for `target` (a PostTarget; use target.idempotency_key).
        Validates first (`validate`) and raises InvalidContent before any network call."""
        raise NotImplementedError

    # --- Threads (docs/threads.md) ---
    # Whether the network takes a thread: each part after the first published as a reply to the one
    # before (publish_part). A network that cannot is refused a thread when the post is validated.
    supports_threads: bool = False

    def publish_part(self, target, position: int, content: str, media: Sequence[MediaItem], *, reply_to: ThreadReply) -> PublishResult:
        """Publish part `position` (1, 2, ...) of `target`'s thread as a reply to `reply_to.parent`.
        Validates first, like `publish`; idempotent where the network allows it, with a key derived from
        the target and the position (part_idempotency_key), so a repeated call cannot duplicate it."""
        raise NotImplementedError

    def reconcile_part(self, target, position: int, content: str, *, reply_to: ThreadReply) -> Reconciliation:
        """Is part `position` of `target`'s thread already on the network? As `reconcile`, per part."""
        return Reconciliation()

    def delete(self, platform_post_id: str) -> None:
        raise NotImplementedError

    def fetch_metrics(self, platform_post_id: str) -> Metrics:
        raise NotImplementedError

    # --- Account metrics (analytics) ---
    # Reads of metrics share the per-account token bucket mechanism with publishing, in their own bucket
    # (social_media.services.ratelimit, scope "metrics"): (reads, per seconds).
    metrics_rate: tuple[int, int] = (60, 15 * 60)

    def account_metrics(self) -> AccountMetrics:
        """Followers, following and posts of the connected account, read now. Raises
        AccountMetricsUnavailable when the network offers none for this account."""
        raise AccountMetricsUnavailable(f"{self.platform or 'This network'} offers no account figures to this app.")

    def refresh_access_token(self) -> TokenSet:
        """Return fresh tokens (the engine stores them atomically). Raise AccountDisconnected when the
        refresh is refused permanently (invalid_grant), TransientError when it merely failed."""
        raise NotImplementedError

    def reconcile(self, target) -> Reconciliation:
        """Did this target's post already land? Called after OutcomeUnknown and for stuck targets."""
        return Reconciliation()

    # --- First comments (first_comments app; docs/first-comments.md) ---
    # Whether the network takes a comment (a reply) under a published post, and whether a repeated call
    # with the same `key` cannot post it twice (an idempotency key or a record key).
    supports_comments: bool = False
    idempotent_comment: bool = False

    def validate_comment(self, content: str) -> list[str]:
        """User-facing problems of `content` as a comment on this network; empty means valid."""
        if not self.supports_comments:
            return [f"{self.platform or 'This network'} does not take first comments through its API."]
        return [] if (content or "").strip() else ["A first comment needs text."]

    def check_comment(self, content: str) -> None:
        """validate_comment's problems as InvalidContent, before any network call."""
        errors = self.validate_comment(content)
        if errors:
            raise InvalidContent(" ".join(errors), errors=errors)

    def comment(self, target, content: str, *, key: str) -> PublishResult:
        """Post `content` under the target's published post (target.platform_post_id); `key` is the same on
        every attempt for this comment. Raises like publish: OutcomeUnknown when the answer was lost."""
        raise NotImplementedError

    def find_comment(self, target, content: str, *, key: str, since: datetime | None) -> Reconciliation:
        """Is this comment already under the post (after OutcomeUnknown)? Default: unknown."""
        return Reconciliation()

    def verify_credentials(self) -> AccountProfile:
        """Check the stored credentials against the network; read limits into platform_settings."""
        raise NotImplementedError

    def token_needs_refresh(self, within_seconds: int) -> bool:
        from django.utils import timezone

        expires = self.account.token_expires_at
        return bool(expires and self.account.refresh_token and (expires - timezone.now()).total_seconds() < within_seconds)

    # Connect flows (classmethods: there is no account yet).
    @classmethod
    def authorization_url(cls, *, state: str, redirect_uri: str, code_challenge: str, instance_url: str = "", oauth_app=None) -> str:
        raise NotImplementedError

    @classmethod
    def exchange_code(cls, *, code: str, redirect_uri: str, code_verifier: str, instance_url: str = "", oauth_app=None) -> "AccountProfile | list[AccountProfile]":
        """The connected account(s). A flow that yields several (the Pages a Meta user manages and
        their Instagram accounts) returns a list; each profile's `platform` says which network."""
        raise NotImplementedError

    @classmethod
    def connect_with_password(cls, *, identifier: str, password: str, service_url: str) -> AccountProfile:
        raise NotImplementedError


def comment_text_errors(content: str, *, limit: int, network: str, length: int | None = None) -> list[str]:
    """The checks every network's comment shares: within `limit` characters (`length` when the network
    counts otherwise than code points) and not empty."""
    content = content or ""
    length = len(content) if length is None else length
    errors = [f"{network} comments allow {limit:,} characters; this one has {length:,}."] if length > limit else []
    if not content.strip():
        errors.append("A first comment needs text.")
    return errors
