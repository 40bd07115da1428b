"""The Instagram professional account adapter (Instagram Graph API through the linked Page's
token): containers from public media URLs, polled until ready, then media_publish. The container
id is stored on the target before media_publish, so a retry publishes that same container and
reconcile can tell from its status whether it was published."""

from __future__ import annotations

from datetime import timedelta
from typing import Sequence

from django.utils import timezone

from social_media.platforms.base import (
    AccountProfile,
    InvalidContent,
    MediaItem,
    Metrics,
    OutcomeUnknown,
    PlatformError,
    PublishResult,
    Reconciliation,
)
from social_media.platforms.meta.adapter import MetaAdapter
from social_media.services.platform_state import target_remember

from . import containers, rules
from .comments import InstagramComments

CONTAINER_KEY = "instagram_container_id"
INSIGHT_METRICS = "likes,comments,saved,reach,views,shares"
RECONCILE_SLACK = timedelta(minutes=2)
DEFAULT_QUOTA = (50, 86400)  # Meta's Content Publishing guide: 50 API-published posts in a moving 24 hours
NO_PUBLIC_URL = ("Instagram fetches media from a public address, and this server cannot offer one: set PUBLIC_BASE_URL "
                 "to this server's public https address, or store media on S3.")


class InstagramAdapter(InstagramComments, MetaAdapter):
    platform = "instagram"
    posting_rate = (50, 86400)  # Meta's content_publishing_limit (read before each publish) is the real bound
    content_limits = rules.CONTENT_LIMITS

    @property
    def ig_user_id(self) -> str:
        return str(self.account.platform_user_id)

    def validate(self, content: str, media: Sequence[MediaItem]) -> list[str]:
        return rules.validate(content, media)

    def publishing_quota(self) -> tuple[int, int]:
        """content_publishing_limit's quota_total / quota_duration as last read into the account (verify_credentials),
        else Meta's documented 50 posts per 24 hours."""
        stored = self.account.platform_settings or {}
        return int(stored.get("quota_total") or DEFAULT_QUOTA[0]), int(stored.get("quota_duration") or DEFAULT_QUOTA[1])

    def publish(self, target, content: str, media: Sequence[MediaItem]) -> PublishResult:
        errors = self.validate(content, media)
        if errors:
            raise InvalidContent(errors[0] if len(errors) == 1 else f"Instagram would reject this post: {' '.join(errors)}", errors=errors)
        urls = [item.public_url() if item.public_url else None for item in media]
        if not all(urls):
            raise InvalidContent(NO_PUBLIC_URL)
        graph = self.graph()
        container_id = self._reusable_container(graph, target, content)
        if isinstance(container_id, PublishResult):
            return container_id  # an earlier attempt published it (before the quota: that post counts in it)
        containers.check_quota(graph, self.ig_user_id)
        if not container_id:
            container_id = containers.create(graph, self.ig_user_id, content or "", list(media), urls)
            target_remember(target=target, **{CONTAINER_KEY: container_id})
        containers.wait_until_finished(graph, container_id)
        media_id = containers.publish(graph, self.ig_user_id, container_id)
        if not media_id:
            raise OutcomeUnknown("Instagram accepted the post without saying its id; checking before any retry.")
        return PublishResult(platform_post_id=media_id, url=self._permalink(graph, media_id), published_at=timezone.now())

    def _reusable_container(self, graph, target, content):
        """The container an earlier attempt stored: reuse it while it can still be published; if it
        already was, the earlier attempt's post is the result."""
        container_id = (target.platform_specific_settings or {}).get(CONTAINER_KEY)
        if not container_id:
            return None
        try:
            code, _message = containers.status(graph, container_id)
        except PlatformError as exc:
            if exc.http_status in (400, 404):
                return None  # Meta no longer knows it (expired and removed)
            raise
        if code == containers.PUBLISHED:
            found = self._find_published(graph, target, content)
            if found is None:
                raise OutcomeUnknown("An earlier attempt published this post on Instagram, but it cannot be found among the latest posts.")
            return found
        return None if code in (containers.ERROR, containers.EXPIRED) else container_id

    def _find_published(self, graph, target, content) -> PublishResult | None:
        text = (content or "").strip()
        if not text:
            return None
        since = target.post.created_at - RECONCILE_SLACK  # no attempt can have published it earlier
        for item in graph.get(f"/{self.ig_user_id}/media", fields="id,caption,timestamp,permalink", limit=50).get("data") or []:
            stamp = containers.epoch(item.get("timestamp"))
            if (item.get("caption") or "").strip() == text and (stamp is None or stamp >= since.timestamp()):
                return PublishResult(platform_post_id=str(item["id"]), url=item.get("permalink") or "https://www.instagram.com/")
        return None

    def _permalink(self, graph, media_id: str) -> str:
        try:
            url = graph.get(f"/{media_id}", fields="permalink").get("permalink", "")
        except PlatformError:
            url = ""
        return url if url.startswith("http") else f"https://www.instagram.com/{self.account.platform_username}/"

    def reconcile(self, target) -> Reconciliation:
        """No stored container: media_publish was never sent (not found). A container not PUBLISHED
        was not published (a retry reuses or replaces it). A PUBLISHED one: found, or unknown if the
        post cannot be identified."""
        container_id = (target.platform_specific_settings or {}).get(CONTAINER_KEY)
        if not container_id:
            return Reconciliation(not_found=True)
        graph = self.graph()
        code, _message = containers.status(graph, container_id)
        if code != containers.PUBLISHED:
            return Reconciliation(not_found=True)
        found = self._find_published(graph, target, target.content)
        return Reconciliation(found=found) if found else Reconciliation()

    def delete(self, platform_post_id: str) -> None:
        try:
            answer = self.graph().delete(f"/{platform_post_id}")
        except PlatformError as exc:
            if exc.http_status == 404 or getattr(exc, "meta_subcode", None) == 33:
                return
            raise
        if answer.get("success") is False:
            raise PlatformError("Instagram did not delete the post.")

    # --- Account metrics (analytics, issue 15) --------------------------------------------------
    def account_metrics(self):
        """GET /{ig-user-id}?fields=followers_count,follows_count,media_count (developers.facebook.com/
        docs/instagram-platform/instagram-graph-api/reference/ig-user)."""
        from social_media.platforms.base import AccountMetrics

        user = self.graph().get(f"/{self.ig_user_id}", fields="followers_count,follows_count,media_count")
        raw = {key: int(user[key]) for key in ("followers_count", "follows_count", "media_count") if isinstance(user.get(key), int)}
        return AccountMetrics(followers=raw.get("followers_count"), following=raw.get("follows_count"), posts=raw.get("media_count"), raw=raw)
    # --- end of account metrics ------------------------------------------------------------------

    def fetch_metrics(self, platform_post_id: str) -> Metrics:
        graph = self.graph()
        try:
            data = graph.get(f"/{platform_post_id}/insights", metric=INSIGHT_METRICS).get("data") or []
            values = {item["name"]: int(((item.get("values") or [{}])[0]).get("value") or 0) for item in data if item.get("name")}
        except InvalidContent:  # a metric this media type lacks: fall back to the public counts
            fields = graph.get(f"/{platform_post_id}", fields="like_count,comments_count")
            values = {"likes": int(fields.get("like_count") or 0), "comments": int(fields.get("comments_count") or 0)}
        return Metrics(likes=values.get("likes", 0), replies=values.get("comments", 0), reposts=values.get("shares", 0),
                       impressions=values.get("views", 0), raw=values)

    def verify_credentials(self) -> AccountProfile:
        graph = self.graph()
        user = graph.get(f"/{self.ig_user_id}", fields="id,username,name")
        limit = (graph.get(f"/{self.ig_user_id}/content_publishing_limit", fields="quota_usage,config").get("data") or [{}])[0]
        config = limit.get("config") or {}
        return AccountProfile(
            platform="instagram", platform_user_id=str(user.get("id", self.ig_user_id)), platform_username=user.get("username", ""),
            display_name=user.get("name") or user.get("username", ""),
            platform_settings={"quota_total": config.get("quota_total"), "quota_duration": config.get("quota_duration")},
        )
