"""The Facebook Page adapter: text and link posts (/{page-id}/feed), one photo (/{page-id}/photos),
several photos (unpublished photos attached to one feed post), one video (Page video upload on
graph-video), with the Page token. Reconcile looks for our text among the Page's recent posts.

A target's link (platform_specific_settings["link"]) is the preview card of a text post (/feed `link`).
/photos and /videos take no link, so with photos or a video it is written at the end of the caption
(rules.with_link), where Facebook shows it clickable: never dropped."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Sequence
from urllib.parse import urlsplit

from django.utils import timezone

from social_media.platforms.base import (
    AccountProfile,
    InvalidContent,
    MediaItem,
    OutcomeUnknown,
    PlatformError,
    PublishResult,
    Reconciliation,
)
from social_media.platforms.meta.adapter import MetaAdapter

from . import metrics, rules
from .comments import FacebookComments

RECONCILE_SLACK = timedelta(minutes=2)
GONE_SUBCODE = 33  # "Object with ID ... does not exist"


def target_link(target) -> str:
    return ((target.platform_specific_settings or {}).get("link") or "").strip()


class FacebookAdapter(FacebookComments, MetaAdapter):
    platform = "facebook"
    posting_rate = (50, 3600)
    content_limits = rules.CONTENT_LIMITS

    def validate(self, content: str, media: Sequence[MediaItem]) -> list[str]:
        return rules.validate(content, media)

    def publish(self, target, content: str, media: Sequence[MediaItem]) -> PublishResult:
        link = target_link(target)
        if media:  # /photos and /videos take no link: it goes in the caption, where Facebook makes it clickable
            content = rules.with_link(content, link)
        errors = self.validate(content, media)
        if link and urlsplit(link).scheme not in ("http", "https"):
            errors.append("The link must start with http:// or https://.")
        if errors:
            raise InvalidContent(errors[0] if len(errors) == 1 else f"Facebook would reject this post: {' '.join(errors)}", errors=errors)
        graph = self.graph()
        if media and media[0].media_type == "video":
            with media[0].open() as source:
                answer = graph.post(f"/{self.page_id}/videos", data={"description": content}, video=True, creates_post=True,
                                    files={"source": ("video.mp4", source, media[0].mime_type)})
        elif len(media) == 1:
            with media[0].open() as source:
                answer = graph.post(f"/{self.page_id}/photos", data={"message": content, "published": "true"}, creates_post=True,
                                    files={"source": ("photo", source, media[0].mime_type)})
        else:
            data = {"message": content}
            if link and not media:  # a text post's link becomes its preview card; with photos it is in the caption
                data["link"] = link
            for number, item in enumerate(media):
                data[f"attached_media[{number}]"] = json.dumps({"media_fbid": self._unpublished_photo(graph, item)})
            answer = graph.post(f"/{self.page_id}/feed", data=data, creates_post=True)
        post_id = str(answer.get("post_id") or answer.get("id") or "")
        if not post_id:
            raise OutcomeUnknown("Facebook accepted the post without saying its id; checking before any retry.")
        return PublishResult(platform_post_id=post_id, url=self._permalink(graph, post_id), published_at=timezone.now())

    def _unpublished_photo(self, graph, item: MediaItem) -> str:
        with item.open() as source:
            answer = graph.post(f"/{self.page_id}/photos", data={"published": "false"}, what="photo",
                                files={"source": ("photo", source, item.mime_type)})
        return str(answer["id"])

    def _permalink(self, graph, object_id: str) -> str:
        try:
            url = graph.get(f"/{object_id}", fields="permalink_url").get("permalink_url", "")
        except PlatformError:
            url = ""
        return url if url.startswith("http") else f"https://www.facebook.com/{object_id}"

    def delete(self, platform_post_id: str) -> None:
        try:
            answer = self.graph().delete(f"/{platform_post_id}")
        except PlatformError as exc:
            if getattr(exc, "meta_subcode", None) == GONE_SUBCODE or exc.http_status == 404:
                return  # already gone
            raise
        if answer.get("success") is False:
            raise PlatformError("Facebook did not delete the post.")

    # --- Account metrics (analytics, issue 15) --------------------------------------------------
    def account_metrics(self):
        """GET /{page-id}?fields=followers_count,fan_count (developers.facebook.com/docs/graph-api/
        reference/page: followers_count, "the number of followers of the Page")."""
        from social_media.platforms.base import AccountMetrics

        page = self.graph().get(f"/{self.page_id}", fields="followers_count,fan_count")
        raw = {key: int(page[key]) for key in ("followers_count", "fan_count") if isinstance(page.get(key), int)}
        return AccountMetrics(followers=raw.get("followers_count"), raw=raw)
    # --- end of account metrics ------------------------------------------------------------------

    def fetch_metrics(self, platform_post_id: str) -> Metrics:
        return metrics.read(self.graph(), platform_post_id)

    def reconcile(self, target) -> Reconciliation:
        """Our text among the Page's posts (and videos) created since the claim: found, or a complete
        answer without it (not found). A post without text cannot be told apart: unknown."""
        text = (target.content or "").strip()
        if not text:
            return Reconciliation()
        texts = {text, rules.with_link(text, target_link(target)).strip()}  # a photo or video carries its link in the caption
        since = int(((target.claimed_at or timezone.now()) - RECONCILE_SLACK).timestamp())
        graph = self.graph()
        for edge, field in (("posts", "message"), ("videos", "description")):
            items = graph.pages(f"/{self.page_id}/{edge}", fields=f"id,{field},created_time,permalink_url", since=since, limit=100)
            for item in items:
                if (item.get(field) or "").strip() in texts:
                    url = item.get("permalink_url") or f"https://www.facebook.com/{item['id']}"
                    return Reconciliation(found=PublishResult(platform_post_id=str(item["id"]), url=url))
        return Reconciliation(not_found=True)

    def verify_credentials(self) -> AccountProfile:
        page = self.graph().get(f"/{self.page_id}", fields="id,name,username")
        return AccountProfile(platform="facebook", platform_user_id=str(page.get("id", self.page_id)),
                              platform_username=page.get("username") or page.get("name", ""), display_name=page.get("name", ""))
