"""The X adapter: tweepy 4.17's v2 Client with OAuth 2.0 user tokens, our own v2 media upload, and
exact pre-publish validation. Modules: api (session, base URL, timeouts), errors (the one translation
point), oauth (PKCE code flow, rotating refresh), media (upload), text (validation, matching),
timeline (metrics, reconcile)."""

from __future__ import annotations

from typing import Sequence

import tweepy
from django.utils import timezone

from social_media.platforms.base import (
    AccountProfile,
    InvalidContent,
    MediaItem,
    Metrics,
    OutcomeUnknown,
    PlatformAdapter,
    PlatformError,
    PublishResult,
    Reconciliation,
    ThreadReply,
    TokenSet,
)

from media.upload_cache import cached_upload

from . import media as media_upload
from . import oauth, text, timeline
from .api import XApi
from .comments import XComments
from .errors import translated

__all__ = ["XAdapter"]


class XAdapter(XComments, PlatformAdapter):
    platform = "x"
    idempotent_publish = False  # X has no idempotency key: after OutcomeUnknown, reconcile() decides
    supports_threads = True  # each part a reply to the one before (POST /2/tweets `reply`)
    posting_rate = (300, 3 * 3600)
    required_settings = ("X_CLIENT_ID",)  # X_CLIENT_SECRET only for a confidential client
    connect_style = "oauth"
    content_limits = {
        "max_characters": text.DEFAULT_LIMITS["max_weighted_length"],
        "character_counting": "weighted",  # twitter-text v3: emoji and CJK weigh 2, every URL 23
        "characters_per_url": 23,
        "max_images": text.MAX_IMAGES,
        "max_gifs": 1,
        "max_videos": 1,
        "mixed_media": False,  # 4 images, or 1 GIF, or 1 video
        "max_image_bytes": text.DEFAULT_LIMITS["max_image_bytes"],
        "max_gif_bytes": text.DEFAULT_LIMITS["max_gif_bytes"],
        "max_video_bytes": text.DEFAULT_LIMITS["max_video_bytes"],
        "max_video_seconds": text.DEFAULT_LIMITS["max_video_seconds"],
        "max_alt_text_characters": text.MAX_ALT_TEXT,
        "note": "Paid X subscriptions allow up to 25,000 weighted characters; read at connect.",
    }

    def _api(self) -> XApi:
        return XApi(self.account.access_token)

    def validate(self, content: str, media: Sequence[MediaItem]) -> list[str]:
        return text.validate(content, media, text.limits_for(self.account))

    def text_usage(self, content: str) -> tuple[int, int | None]:
        return text.weighted_length(content), int(text.limits_for(self.account)["max_weighted_length"])

    def publish(self, target, content: str, media: Sequence[MediaItem]) -> PublishResult:
        return self._create(content, media)

    def publish_part(self, target, position: int, content: str, media: Sequence[MediaItem], *, reply_to: ThreadReply) -> PublishResult:
        """A post whose `reply.in_reply_to_tweet_id` is the part before. X has no idempotency key: the
        engine reconciles a part (reconcile_part) before sending it again."""
        return self._create(content, media, in_reply_to=reply_to.parent.platform_post_id)

    def reconcile_part(self, target, position: int, content: str, *, reply_to: ThreadReply) -> Reconciliation:
        return timeline.find_post(self._api(), self.account, target, text=content)

    def _create(self, content: str, media: Sequence[MediaItem], *, in_reply_to: str | None = None, what: str = "post") -> PublishResult:
        """POST /2/tweets (a post, a thread's part, a first comment: `what` names it in messages)."""
        errors = self.validate(content, media)
        if errors:
            raise InvalidContent(errors[0] if len(errors) == 1 else f"X would reject this {what}: {' '.join(errors)}", errors=errors)
        api = self._api()
        with translated(what="attachment"):
            media_ids = [
                cached_upload(account=self.account, item=item, upload=lambda item=item: media_upload.upload(api, item), ttl=media_upload.MEDIA_ID_TTL)
                for item in media
            ]
        with translated(what=what, may_have_landed=True):
            answer = api.client.create_tweet(text=content or "", media_ids=media_ids or None, in_reply_to_tweet_id=in_reply_to, user_auth=False)
        post_id = str((answer.get("data") or {}).get("id") or "")
        if not post_id:
            raise OutcomeUnknown(f"X accepted the {what} without saying its id; checking before any retry.")
        return PublishResult(platform_post_id=post_id, url=timeline.post_url(self.account.platform_username, post_id), published_at=timezone.now())

    def delete(self, platform_post_id: str) -> None:
        api = self._api()
        with translated(what="post"):
            try:
                answer = api.client.delete_tweet(platform_post_id, user_auth=False)
            except tweepy.NotFound:
                return  # already gone
        if not (answer.get("data") or {}).get("deleted"):
            raise PlatformError("X did not delete the post.")

    # --- Account metrics (analytics, issue 15) --------------------------------------------------
    def account_metrics(self):
        """GET /2/users/me?user.fields=public_metrics: followers_count, following_count, tweet_count
        (docs.x.com/x-api/users/user-lookup-me, the User object's public_metrics)."""
        from social_media.platforms.base import AccountMetrics, TransientError

        with translated(what="account"):
            answer = self._api().client.get_me(user_auth=False, user_fields=["public_metrics"])
        counts = (answer.get("data") or {}).get("public_metrics") or {}
        if not counts:
            raise TransientError("X did not return the account's public metrics; will retry.")
        return AccountMetrics(followers=counts.get("followers_count"), following=counts.get("following_count"),
                              posts=counts.get("tweet_count"), raw=dict(counts))
    # --- end of account metrics ------------------------------------------------------------------

    def fetch_metrics(self, platform_post_id: str) -> Metrics:
        return timeline.fetch_metrics(self._api(), platform_post_id)

    def reconcile(self, target) -> Reconciliation:
        return timeline.find_post(self._api(), self.account, target)

    def refresh_access_token(self) -> TokenSet:
        return oauth.refresh(self.account.refresh_token)

    def verify_credentials(self) -> AccountProfile:
        return oauth.fetch_profile(self._api())

    @classmethod
    def authorization_url(cls, *, state: str, redirect_uri: str, code_challenge: str, instance_url: str = "", oauth_app=None) -> str:
        return oauth.authorization_url(state=state, redirect_uri=redirect_uri, code_challenge=code_challenge)

    @classmethod
    def exchange_code(cls, *, code: str, redirect_uri: str, code_verifier: str, instance_url: str = "", oauth_app=None) -> AccountProfile:
        tokens = oauth.exchange_code(code=code, redirect_uri=redirect_uri, code_verifier=code_verifier)
        return oauth.fetch_profile(XApi(tokens.access_token), tokens)
