"""The LinkedIn adapter: a member or an organization page, publishing through the Posts API."""

from __future__ import annotations

from typing import Sequence

from social_media.platforms.base import (
    AccountDisconnected,
    AccountProfile,
    InvalidContent,
    MediaItem,
    Metrics,
    OutcomeUnknown,
    PlatformAdapter,
    PublishResult,
    Reconciliation,
    TokenSet,
)

from . import media as media_upload
from . import oauth, posts, text
from .client import LinkedInClient
from .comments import LinkedInComments
from .errors import DuplicatePost


class LinkedInAdapter(LinkedInComments, PlatformAdapter):
    platform = "linkedin"
    idempotent_publish = False  # no idempotency key: after OutcomeUnknown, reconcile() reads the author's posts
    posting_rate = (150, 24 * 3600)
    required_settings = ("LINKEDIN_CLIENT_ID", "LINKEDIN_CLIENT_SECRET")
    connect_style = "oauth"
    content_limits = {
        "max_characters": text.MAX_CHARACTERS,
        "max_images": text.MAX_IMAGES,
        "max_videos": 1,
        "max_image_bytes": text.MAX_IMAGE_BYTES,
        "image_types": sorted(text.IMAGE_TYPES),
        "max_video_bytes": text.MAX_VIDEO_BYTES,
        "video_seconds": [text.MIN_VIDEO_SECONDS, text.MAX_VIDEO_SECONDS],
        "video_types": sorted(text.VIDEO_TYPES),
        "mixed_media": False,
    }

    # --- who posts ---------------------------------------------------------------------------
    @property
    def author(self) -> str:
        settings = self.account.platform_settings or {}
        return settings.get("author_urn") or self.account.platform_user_id

    @property
    def is_organization(self) -> bool:
        return self.author.startswith("urn:li:organization:")

    def _client(self) -> LinkedInClient:
        """One session per adapter (the engine builds a new adapter after a token refresh)."""
        if getattr(self, "_session_client", None) is None:
            self._session_client = LinkedInClient(self.account.access_token)
        return self._session_client

    # --- contract ----------------------------------------------------------------------------
    def validate(self, content: str, media: Sequence[MediaItem]) -> list[str]:
        return text.validate(content, media)

    def publish(self, target, content: str, media: Sequence[MediaItem]) -> PublishResult:
        errors = self.validate(content, media)
        if errors:
            raise InvalidContent(errors[0] if len(errors) == 1 else f"LinkedIn would reject this post: {' '.join(errors)}", errors=errors)
        client = self._client()
        urns = [media_upload.upload(client, self.author, item) for item in media]
        try:
            return posts.create(client, posts.post_body(self.author, content, urns, media))
        except DuplicatePost:
            return self._settle_duplicate(client, target)

    def _settle_duplicate(self, client, target) -> PublishResult:
        """LinkedIn refuses a text the author already posted: the post made for this target by an earlier
        attempt (found since the claim), or an older post of the same text (then the text must change)."""
        answer = posts.find(client, self.author, target)
        if answer.found:
            return answer.found
        if answer.not_found:
            raise InvalidContent("LinkedIn refuses this text because this account already posted the same text; change the text.",
                                 http_status=422)
        raise OutcomeUnknown("LinkedIn says this text was already posted and its posts cannot be listed to check whether it was this one.",
                             http_status=422)

    def delete(self, platform_post_id: str) -> None:
        posts.delete(self._client(), platform_post_id)

    # --- Account metrics (analytics, issue 15) --------------------------------------------------
    def account_metrics(self):
        """An organization page: GET /rest/networkSizes/{organization urn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER
        answers {"firstDegreeSize": followers} (learn.microsoft.com/linkedin/marketing/community-management/
        organizations/organization-lookup-api, "Retrieve Organization Follower Count"). A member's own
        profile: LinkedIn gives apps no follower count, which is said."""
        from social_media.platforms.base import AccountMetrics, AccountMetricsUnavailable

        from .client import encode

        if not self.is_organization:
            raise AccountMetricsUnavailable("LinkedIn does not give apps the follower count of a member's profile, only of organization pages.")
        answer = self._client().json("GET", f"/rest/networkSizes/{encode(self.author)}", query="edgeType=COMPANY_FOLLOWED_BY_MEMBER", what="follower count")
        followers = answer.get("firstDegreeSize")
        return AccountMetrics(followers=int(followers) if isinstance(followers, int) else None, raw={"firstDegreeSize": followers})
    # --- end of account metrics ------------------------------------------------------------------

    def fetch_metrics(self, platform_post_id: str) -> Metrics:
        return posts.metrics(self._client(), platform_post_id, organization=self.author if self.is_organization else "")

    def reconcile(self, target) -> Reconciliation:
        return posts.find(self._client(), self.author, target)

    def refresh_access_token(self) -> TokenSet:
        tokens, _grant = oauth.refresh(self.account.refresh_token)
        return tokens

    def verify_credentials(self) -> AccountProfile:
        client = self._client()
        member = oauth.member_profile(client, None, {})
        if not self.is_organization:
            return member
        grant = {"scopes": list(oauth.ORGANIZATION_SCOPES)}
        for page in oauth.organization_profiles(client, member, grant):
            if page.platform_user_id == self.author:
                return AccountProfile(platform_user_id=page.platform_user_id, platform_username=page.platform_username,
                                      display_name=page.display_name, platform="linkedin")
        raise AccountDisconnected(f"{member.display_name} no longer administers this LinkedIn page; reconnect it with an administrator.")

    # --- connect -----------------------------------------------------------------------------
    @classmethod
    def authorization_url(cls, *, state: str, redirect_uri: str, code_challenge: str, instance_url: str = "", oauth_app=None) -> str:
        return oauth.authorization_url(state=state, redirect_uri=redirect_uri)

    @classmethod
    def exchange_code(cls, *, code: str, redirect_uri: str, code_verifier: str, instance_url: str = "", oauth_app=None) -> list[AccountProfile]:
        tokens, grant = oauth.exchange_code(code=code, redirect_uri=redirect_uri)
        client = LinkedInClient(tokens.access_token)
        member = oauth.member_profile(client, tokens, grant)
        return [member, *oauth.organization_profiles(client, member, grant)]
