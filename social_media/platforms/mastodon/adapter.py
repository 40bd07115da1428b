"""MastodonAdapter: publishing, deleting, metrics and reconciliation for one connected account."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from ..base import (
    AccountProfile,
    InvalidContent,
    MediaItem,
    Metrics,
    PlatformAdapter,
    PlatformError,
    PublishResult,
    Reconciliation,
    ThreadReply,
    TokenSet,
    part_idempotency_key,
)
from . import oauth
from .comments import MastodonComments
from .client import REQUEST_TIMEOUT, Connection, normalize_instance_url
from .limits import DEFAULTS, limits_from_settings, read_instance_limits
from .media import upload_media
from .reconcile import find_status, status_result
from .validation import VISIBILITIES, character_count, validate_post


class MastodonAdapter(MastodonComments, PlatformAdapter):
    platform = "mastodon"
    # POST /api/v1/statuses honours Idempotency-Key (Mastodon keeps keys for an hour).
    idempotent_publish = True
    supports_threads = True  # each part a status in_reply_to_id the part before
    # Mastodon's default throttle: 300 statuses per 3 hours per account.
    posting_rate = (300, 3 * 3600)
    connect_style = "oauth"  # the app is registered on each instance at first connect: no settings needed
    # Mastodon's defaults; each instance announces its own, read into the account at connect.
    content_limits = {
        "max_characters": DEFAULTS["max_characters"],
        "character_counting": "characters",
        "characters_per_url": DEFAULTS["characters_reserved_per_url"],
        "max_media": DEFAULTS["max_media_attachments"],
        "max_alt_text_characters": DEFAULTS["description_limit"],
        "note": "Each instance sets its own limits; the account's are read when it connects.",
    }

    request_timeout = REQUEST_TIMEOUT
    media_poll_interval = 1.0  # seconds between GET /api/v1/media/:id while the file is processed
    media_processing_timeout = 120.0  # then TransientError: the engine retries later
    recent_statuses_limit = 40  # how far back reconcile looks (Mastodon's page maximum)

    def __init__(self, account):
        super().__init__(account)
        self._conn = None

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            self._conn = Connection(
                normalize_instance_url(self.account.instance_url),
                self.account.access_token,
                version=(self.account.platform_settings or {}).get("version"),
                timeout=self.request_timeout,
            )
        return self._conn

    # --- Posting ----------------------------------------------------------------------------
    def validate(self, content: str, media: Sequence[MediaItem]) -> list[str]:
        return validate_post(content, media, self.account.platform_settings or {})

    def text_usage(self, content: str) -> tuple[int, int | None]:
        limits = limits_from_settings(self.account.platform_settings or {})
        return character_count(content or "", url_length=limits["characters_reserved_per_url"]), limits["max_characters"]

    def publish(self, target, content: str, media: Sequence[MediaItem]) -> PublishResult:
        return self._post_status(target, content, media, idempotency_key=str(target.idempotency_key))

    def publish_part(self, target, position: int, content: str, media: Sequence[MediaItem], *, reply_to: ThreadReply) -> PublishResult:
        """A status `in_reply_to_id` the part before, with the part's own Idempotency-Key."""
        return self._post_status(
            target, content, media, idempotency_key=part_idempotency_key(target, position), in_reply_to_id=reply_to.parent.platform_post_id
        )

    def reconcile_part(self, target, position: int, content: str, *, reply_to: ThreadReply) -> Reconciliation:
        since = _first_time(target.claimed_at, target.dispatched_at, target.last_attempt_at)
        return find_status(
            self.conn, account_id=self.account.platform_user_id, text=content, since=since,
            limit=self.recent_statuses_limit, to_result=self._result, in_reply_to_id=reply_to.parent.platform_post_id,
        )

    def _post_status(self, target, content, media, *, idempotency_key: str, in_reply_to_id: str | None = None) -> PublishResult:
        media = list(media)
        errors = self.validate(content, media)
        visibility = (target.platform_specific_settings or {}).get("visibility") or "public"
        if visibility not in VISIBILITIES:
            errors.append(f"'{visibility}' is not a Mastodon visibility; use one of {', '.join(VISIBILITIES)}.")
        if errors:
            raise InvalidContent(" ".join(errors), errors=errors)
        media_ids = upload_media(
            self.conn, media, poll_interval=self.media_poll_interval, timeout=self.media_processing_timeout, account=self.account
        )
        status = self.conn.call(
            self.conn.api.status_post,
            content,
            media_ids=media_ids or None,
            visibility=visibility,
            in_reply_to_id=in_reply_to_id,
            idempotency_key=idempotency_key,
            what="post",
            unsafe=True,
            typed=False,  # _result reads id, url and created_at of the JSON
        )
        return self._result(status)

    def delete(self, platform_post_id: str) -> None:
        try:
            self.conn.call(self.conn.api.status_delete, platform_post_id, what="post")
        except PlatformError as exc:
            if exc.http_status != 404:  # already gone is what we wanted
                raise

    # --- Account metrics (analytics, issue 15) --------------------------------------------------
    def account_metrics(self):
        """GET /api/v1/accounts/verify_credentials: followers_count, following_count, statuses_count
        (docs.joinmastodon.org/methods/accounts/#verify_credentials, the Account entity)."""
        from ..base import AccountMetrics

        me = self.conn.call(self.conn.api.account_verify_credentials, what="account")
        counts = {key: int(me.get(key) or 0) for key in ("followers_count", "following_count", "statuses_count")}
        return AccountMetrics(followers=counts["followers_count"], following=counts["following_count"],
                              posts=counts["statuses_count"], raw=counts)
    # --- end of account metrics ------------------------------------------------------------------

    def fetch_metrics(self, platform_post_id: str) -> Metrics:
        status = self.conn.call(self.conn.api.status, platform_post_id, what="post")
        counts = {key: int(status.get(key) or 0) for key in ("favourites_count", "reblogs_count", "replies_count", "quotes_count")}
        return Metrics(likes=counts["favourites_count"], reposts=counts["reblogs_count"], replies=counts["replies_count"], raw=counts)

    def reconcile(self, target) -> Reconciliation:
        since = _first_time(target.claimed_at, target.dispatched_at, target.last_attempt_at)
        return find_status(
            self.conn,
            account_id=self.account.platform_user_id,
            text=target.content,
            since=since,
            limit=self.recent_statuses_limit,
            to_result=self._result,
        )

    def _result(self, status) -> PublishResult:
        fallback = f"{self.conn.base_url}/@{self.account.platform_username.split('@')[0]}/{status['id']}"
        return status_result(status, fallback)

    # --- Account ----------------------------------------------------------------------------
    def verify_credentials(self) -> AccountProfile:
        me = self.conn.call(self.conn.api.account_verify_credentials, what="account")
        limits = read_instance_limits(self.conn)
        return oauth.account_profile(me, self.conn.base_url, limits, tokens=None)

    def refresh_access_token(self) -> TokenSet:
        """Mastodon tokens do not expire: confirm the token still works and hand it back."""
        self.conn.call(self.conn.api.account_verify_credentials, what="account")
        return TokenSet(access_token=self.account.access_token)

    # --- Connect flow -----------------------------------------------------------------------
    @classmethod
    def register_app(cls, *, instance_url: str, redirect_uri: str) -> tuple[str, str]:
        return oauth.register_app(instance_url=instance_url, redirect_uri=redirect_uri)

    @classmethod
    def authorization_url(cls, *, state: str, redirect_uri: str, code_challenge: str, instance_url: str = "", oauth_app=None) -> str:
        return oauth.authorization_url(
            state=state, redirect_uri=redirect_uri, code_challenge=code_challenge, instance_url=instance_url, oauth_app=oauth_app
        )

    @classmethod
    def exchange_code(cls, *, code: str, redirect_uri: str, code_verifier: str, instance_url: str = "", oauth_app=None) -> AccountProfile:
        return oauth.exchange_code(
            code=code, redirect_uri=redirect_uri, code_verifier=code_verifier, instance_url=instance_url, oauth_app=oauth_app
        )


def _first_time(*values) -> datetime | None:
    return next((value for value in values if value is not None), None)
