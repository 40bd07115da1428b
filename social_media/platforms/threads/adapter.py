"""ThreadsAdapter: validate, publish through a media container, delete, insights, reconcile, tokens.

Exactly once without an idempotency key: the container id is written to the target
(`platform_specific_settings["threads_container_id"]`) before `threads_publish` is called. A retry
finds it and publishes that same container (or learns it is already PUBLISHED); reconcile reads the
container's status: anything but PUBLISHED means nothing went live, so a retry cannot duplicate.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Sequence

from django.conf import settings
from django.utils import timezone

from ..base import (
    AccountProfile, InvalidContent, MediaItem, Metrics, OutcomeUnknown, PlatformAdapter, PlatformError, PublishResult,
    RateLimited, Reconciliation, ThreadReply, TokenSet,
)
from . import oauth
from .client import ThreadsClient
from .comments import ThreadsComments
from .media import container_fields, media_problems, wait_until_finished
from .text import MAX_CHARACTERS, link_problems, threads_length

CONTAINER_KEY = "threads_container_id"
FINGERPRINT_KEY = "threads_container_for"  # the text + media the container holds: an edited post gets a new one
INSIGHT_METRICS = ("views", "likes", "replies", "reposts", "quotes")
QUOTA_RECHECK_SECONDS = 3600  # the 250-post window moves; look again after an hour
RECENT_LIMIT = 25
CLOCK_SKEW = timedelta(minutes=2)


class ThreadsAdapter(ThreadsComments, PlatformAdapter):
    platform = "threads"
    idempotent_publish = False
    supports_threads = True  # each part a reply container (reply_to_id), remembered per part
    posting_rate = (250, 24 * 3600)
    required_settings = ("THREADS_APP_ID", "THREADS_APP_SECRET")
    connect_style = "oauth"
    content_limits = {
        "max_characters": MAX_CHARACTERS, "emoji_counts_utf8_bytes": True, "max_media": 20,
        "max_image_bytes": 8 * 1024 * 1024, "image_types": ["image/jpeg", "image/png"],
        "max_video_seconds": 300, "max_video_bytes": 1024 ** 3, "posts_per_24h": 250, "media_by_public_url": True,
    }

    def __init__(self, account):
        super().__init__(account)
        self.client = ThreadsClient(account.access_token)

    @property
    def user_id(self) -> str:
        return self.account.platform_user_id

    # --- Posting ----------------------------------------------------------------------------
    def publishing_quota(self) -> tuple[int, int]:
        """Threads' Overview: 250 API-published posts in a moving 24 hours (threads_publishing_limit)."""
        return int((self.account.platform_settings or {}).get("quota_total") or 250), 24 * 3600

    def validate(self, content: str, media: Sequence[MediaItem]) -> list[str]:
        problems = []
        length = threads_length(content)
        if length > MAX_CHARACTERS:
            problems.append(
                f"Threads allows {MAX_CHARACTERS} characters (each emoji counts its UTF-8 bytes, 4 for most); "
                f"this text counts {length}: remove {length - MAX_CHARACTERS}."
            )
        if not (content or "").strip() and not media:
            problems.append("A Threads post needs text or media.")
        return problems + link_problems(content) + media_problems(list(media))

    def publish(self, target, content: str, media: Sequence[MediaItem]) -> PublishResult:
        return self._publish_container(target, content, media, position=0)

    def publish_part(self, target, position: int, content: str, media: Sequence[MediaItem], *, reply_to: ThreadReply) -> PublishResult:
        """A reply container (`reply_to_id`: the part before), stored per part like the head's, so a
        retry publishes that same container or learns it is already PUBLISHED (docs/threads.md)."""
        parent_id = reply_to.parent.platform_post_id
        return self._publish_container(target, content, media, position=position, reply_to_id=parent_id,
                                       find=lambda: self._find_reply(parent_id, content))

    def reconcile_part(self, target, position: int, content: str, *, reply_to: ThreadReply) -> Reconciliation:
        """A part is a reply, and Threads never lists replies in GET /{user-id}/threads ("Retrieve User Posts":
        replies are read through the reply endpoints): a PUBLISHED container's part is looked for among the
        replies to the part before (ThreadsComments._find_reply). A refused or failed read is unknown."""
        parent_id = reply_to.parent.platform_post_id
        return self._reconcile_container(target, position, content, find=lambda: self._find_reply(parent_id, content))

    def _publish_container(self, target, content, media, *, position, reply_to_id: str = "", find=None) -> PublishResult:
        """Publish `content` through a container remembered on the target under `position` (a part's number,
        or a name: "comment"). `find` (a reply: a part or a first comment) looks for what a PUBLISHED
        container became, else the account's recent posts are read. Only a post (no `reply_to_id`) reads the
        250-posts quota first: replies have their own (1,000 a day, "Retrieve and Manage Replies"), whose
        reading needs threads_manage_replies, a permission we do not ask for; Threads' refusal when it is
        used up is a rate limit (errors.py)."""
        media = list(media)
        errors = self.validate(content, media)
        if errors:
            raise InvalidContent(" ".join(errors), errors=errors)
        if not reply_to_id:
            self._check_quota()
        container_key, fingerprint_key = _keys(position)
        fingerprint = _fingerprint(content, media)
        container_id = self._reusable_container(target, fingerprint, container_key, fingerprint_key)
        if container_id is None:
            fields = container_fields(self.client, self.user_id, content, media)
            if reply_to_id:
                fields["reply_to_id"] = reply_to_id
            container_id = str(self.client.post(f"{self.user_id}/threads", fields, what="media container")["id"])
            _remember(target, {container_key: container_id, fingerprint_key: fingerprint})
        status = wait_until_finished(
            self.client, container_id, interval=settings.THREADS_CONTAINER_POLL_SECONDS, timeout=settings.THREADS_CONTAINER_TIMEOUT_SECONDS
        )
        if status.get("status") == "PUBLISHED":  # an earlier attempt published it: find it, never publish twice
            found = (find or (lambda: self._find_recent(target, content)))().found
            if found is None and find is not None:
                raise OutcomeUnknown("This reply's Threads container is already published, but the reply was not found among the replies.")
            if found is None:
                raise PlatformError("This post's Threads container is already published, but the post was not found.")
            return found
        answer = self.client.post(f"{self.user_id}/threads_publish", {"creation_id": container_id}, what="post", unsafe=True)
        return self._result(str(answer["id"]))

    def _check_quota(self) -> None:
        answer = self.client.get(f"{self.user_id}/threads_publishing_limit", {"fields": "quota_usage,config"}, what="publishing limit")
        usage, total = quota(answer)
        if total and usage >= total:
            raise RateLimited(
                f"This Threads account has used its publishing limit ({usage} of {total} posts in 24 hours).",
                retry_after=QUOTA_RECHECK_SECONDS, http_status=None,
            )

    def _reusable_container(self, target, fingerprint: str, container_key=CONTAINER_KEY, fingerprint_key=FINGERPRINT_KEY) -> str | None:
        """The container an earlier attempt made for this same text and media, unless it failed or expired."""
        stored = target.platform_specific_settings or {}
        container_id = stored.get(container_key)
        if not container_id or stored.get(fingerprint_key) != fingerprint:
            return None
        try:
            status = self.client.get(container_id, {"fields": "id,status"}, what="media container").get("status")
        except PlatformError as exc:
            if exc.http_status in (400, 404):
                return None
            raise
        return None if status in ("ERROR", "EXPIRED") else str(container_id)

    def _result(self, media_id: str, post: dict | None = None) -> PublishResult:
        if post is None:
            try:
                post = self.client.get(media_id, {"fields": "id,permalink,timestamp"}, what="post")
            except PlatformError:  # published: a missing permalink must not turn success into failure
                post = {}
        url = post.get("permalink") or f"https://www.threads.net/@{self.account.platform_username}"
        return PublishResult(platform_post_id=media_id, url=url, published_at=_parse_time(post.get("timestamp")))

    def delete(self, platform_post_id: str) -> None:
        try:
            self.client.delete(platform_post_id, what="post")
        except PlatformError as exc:
            if exc.http_status != 404:
                raise

    # --- Account metrics (analytics, issue 15) --------------------------------------------------
    def account_metrics(self):
        """GET /{threads-user-id}/threads_insights?metric=followers_count: a total_value
        (developers.facebook.com/docs/threads/insights, user insights; needs threads_manage_insights)."""
        from ..base import AccountMetrics

        answer = self.client.get(f"{self.user_id}/threads_insights", {"metric": "followers_count"}, what="account insights")
        followers = None
        for row in answer.get("data") or []:
            if row.get("name") == "followers_count":
                points = row.get("values") or [{}]
                followers = int((row.get("total_value") or points[-1]).get("value") or 0)
        return AccountMetrics(followers=followers, raw={"followers_count": followers} if followers is not None else {})
    # --- end of account metrics ------------------------------------------------------------------

    def fetch_metrics(self, platform_post_id: str) -> Metrics:
        answer = self.client.get(f"{platform_post_id}/insights", {"metric": ",".join(INSIGHT_METRICS)}, what="post insights")
        values = {name: 0 for name in INSIGHT_METRICS}
        for row in answer.get("data") or []:
            if row.get("name") in values:
                points = row.get("values") or [{}]
                values[row["name"]] = int((row.get("total_value") or points[-1]).get("value") or 0)
        return Metrics(likes=values["likes"], reposts=values["reposts"], replies=values["replies"], impressions=values["views"], raw=values)

    def reconcile(self, target) -> Reconciliation:
        return self._reconcile_container(target, 0, target.content)

    def _reconcile_container(self, target, position, content: str, *, find=None) -> Reconciliation:
        container_id = (target.platform_specific_settings or {}).get(_keys(position)[0])
        if not container_id:
            return Reconciliation(not_found=True)  # no container: threads_publish was never called
        status = self.client.get(container_id, {"fields": "id,status"}, what="media container").get("status")
        if status != "PUBLISHED":
            return Reconciliation(not_found=True)
        return find() if find is not None else self._find_recent(target, content)

    def _find_recent(self, target, content: str) -> Reconciliation:
        """The account's recent post with this text, published since the target was claimed."""
        since = next((t for t in (target.claimed_at, target.dispatched_at, target.last_attempt_at) if t), None)
        answer = self.client.get(
            f"{self.user_id}/threads", {"fields": "id,text,permalink,timestamp", "limit": RECENT_LIMIT}, what="recent posts"
        )
        for post in answer.get("data") or []:
            created = _parse_time(post.get("timestamp"))
            recent = since is None or created is None or created >= since - CLOCK_SKEW
            if recent and (post.get("text") or "").strip() == (content or "").strip():
                return Reconciliation(found=self._result(str(post["id"]), post))
        return Reconciliation()  # published, but not among the recent posts: cannot say which it is

    # --- Account ----------------------------------------------------------------------------
    def verify_credentials(self) -> AccountProfile:
        me = self.client.get("me", {"fields": oauth.PROFILE_FIELDS}, what="profile")
        usage, total = quota(self.client.get(f"{self.user_id}/threads_publishing_limit", {"fields": "quota_usage,config"}, what="publishing limit"))
        profile = oauth.profile_from(me, None)
        return AccountProfile(
            platform_user_id=profile.platform_user_id, platform_username=profile.platform_username,
            display_name=profile.display_name, platform="threads",
            platform_settings={"quota_usage": usage, "quota_total": total or 250},
        )

    def token_needs_refresh(self, within_seconds: int) -> bool:
        """Threads has no refresh token: the long-lived access token itself is renewed before it expires."""
        expires = self.account.token_expires_at
        return bool(expires and self.account.access_token and (expires - timezone.now()).total_seconds() < within_seconds)

    def refresh_access_token(self) -> TokenSet:
        return oauth.refresh(self.account.access_token)

    # --- Connect flow -----------------------------------------------------------------------
    @classmethod
    def authorization_url(cls, *, state, redirect_uri, code_challenge, instance_url="", oauth_app=None) -> str:
        return oauth.authorization_url(state=state, redirect_uri=redirect_uri)

    @classmethod
    def exchange_code(cls, *, code, redirect_uri, code_verifier, instance_url="", oauth_app=None) -> AccountProfile:
        return oauth.exchange_code(code=code, redirect_uri=redirect_uri)


def quota(answer: dict) -> tuple[int, int]:
    row = (answer.get("data") or [{}])[0]
    return int(row.get("quota_usage") or 0), int((row.get("config") or {}).get("quota_total") or 0)


def _keys(position) -> tuple[str, str]:
    """Where the container of part `position` of a thread is remembered (part 0: the post's own keys), or
    of a named one (`_keys("comment")`: the first comment's)."""
    if position == 0:
        return CONTAINER_KEY, FINGERPRINT_KEY
    suffix = position if isinstance(position, str) else f"part{position}"
    return f"{CONTAINER_KEY}_{suffix}", f"{FINGERPRINT_KEY}_{suffix}"


def _fingerprint(content: str, media) -> str:
    return hashlib.sha256("\x1f".join([content or "", *(str(item.media_id) for item in media)]).encode()).hexdigest()[:32]


def _remember(target, changes: dict) -> None:
    """Write keys of the target's platform_specific_settings at once (before the next network call)."""
    values = {**(target.platform_specific_settings or {}), **changes}
    type(target).objects.filter(pk=target.pk).update(platform_specific_settings=values)
    target.platform_specific_settings = values


def _parse_time(value) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
