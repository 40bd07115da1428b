"""Instagram content publishing, as Meta serves it: POST /{ig-user-id}/media makes a container and
DOWNLOADS its image_url / video_url (an unsigned, expired or unreachable URL, or a non-JPEG image,
leaves the container in ERROR with Meta's words); GET /{container-id}?fields=status_code,status
answers IN_PROGRESS for `in_progress_polls` reads, then FINISHED / ERROR; POST /{ig-user-id}/media_publish
(9007/2207027 while not ready); content_publishing_limit; /media (newest first); insights; DELETE.
Status strings from sns-sdks/python-facebook testdata/instagram/apidata/publish/."""

from __future__ import annotations

import re
import time

import requests

from .pages import stamp
from .server import graph_error

STATUS = {
    "IN_PROGRESS": "In Progress: Media is still being processed.",
    "FINISHED": "Finished: Media has been uploaded and it is ready to be published.",
    "PUBLISHED": "Published: Media has been successfully published.",
    "EXPIRED": "Expired: Media was not published within 24 hours.",
}
DOWNLOAD_FAILED = "Error: Media download has failed. The media URI doesn't meet our requirements."
NOT_JPEG = "Error: The image format is not supported. Only JPEG images can be published."
NOT_VIDEO = "Error: The video file could not be processed; the format is not supported (2207026)."
MAX_CAPTION = 2200
MAX_HASHTAGS = 30
INSIGHTS = ("likes", "comments", "saved", "reach", "views", "shares", "total_interactions")


class InstagramRoutes:
    def ig_token_for(self, request, ig_id):
        record = self.token_of(request)
        page_id = self.instagram[ig_id]["page_id"]
        if record["kind"] == "page" and record["page_id"] != page_id:
            raise graph_error(403, 10, "(#10) Application does not have permission for this action")
        return record

    def ig_fields(self, request, ig):
        self.ig_token_for(request, ig["id"])
        body = {"id": ig["id"], "username": ig["username"], "name": ig["name"]}
        # IG User fields followers_count, follows_count, media_count (developers.facebook.com/docs/
        # instagram-platform/instagram-graph-api/reference/ig-user): 0 until a test sets them.
        for name in ("followers_count", "follows_count", "media_count"):
            if name in request.query.get("fields", "").split(","):
                body[name] = int(ig.get(name, 0))
        return body

    def publishing_limit(self, request, ig_id):
        self.ig_token_for(request, ig_id)
        return {"data": [{"quota_usage": self.quota_usage(ig_id), "config": {"quota_total": self.quota_total, "quota_duration": 86400}}]}

    def quota_usage(self, ig_id):
        day_ago = time.time() - 86400
        return self.extra_quota_usage + sum(1 for m in self.ig_media.values() if m["ig_id"] == ig_id and m["created"] > day_ago)

    def create_container(self, request, ig_id):
        self.ig_token_for(request, ig_id)
        caption = request.param("caption", "")
        if len(caption) > MAX_CAPTION or len(re.findall(r"#\w+", caption)) > MAX_HASHTAGS:
            raise graph_error(400, 100, "Invalid parameter", subcode=2207010, error_user_title="Caption too long",
                              error_user_msg="The caption is too long or has too many hashtags.")
        kind = request.param("media_type") or "IMAGE"
        if kind == "VIDEO" and request.param("is_carousel_item") != "true":
            # Meta's IG User /media reference: a single video is media_type=REELS; VIDEO only for carousel items.
            # Refused since 2023-11 (jstolpe/instagram-graph-api-php-sdk#12, TiagoGrosso/instagram-graph-api-lib#310).
            raise graph_error(400, 100, "Invalid parameter", error_user_title="Media type not supported",
                              error_user_msg="The VIDEO media type is no longer supported for single videos. Use REELS.")
        container = {"id": str(17_880_000_000_000_000 + next(self.ids)), "ig_id": ig_id, "media_type": kind, "caption": caption,
                     "carousel_item": request.param("is_carousel_item") == "true", "polls_left": self.in_progress_polls,
                     "outcome": "FINISHED", "message": "", "media_id": None, "children": []}
        if kind == "CAROUSEL":
            container["children"] = self._carousel_children(request.param("children", ""), ig_id)
        else:
            url = request.param("video_url" if kind in ("VIDEO", "REELS") else "image_url")
            if not url:
                raise graph_error(400, 100, "The parameter image_url is required.", subcode=2207001 if kind == "IMAGE" else 2207002)
            container["outcome"], container["message"] = self._download(url, kind)
        if self.container_failures:
            container["outcome"], container["message"] = "ERROR", self.container_failures.pop(0)
        self.containers[container["id"]] = container
        return {"id": container["id"]}

    def _carousel_children(self, raw, ig_id):
        children = [c for c in raw.split(",") if c]
        if not 2 <= len(children) <= 10:
            raise graph_error(400, 100, "(#100) The carousel must have between 2 and 10 children.", subcode=2207025)
        for child in children:
            item = self.containers.get(child)
            if item is None or item["ig_id"] != ig_id or not item["carousel_item"] or self.status_of(item, peek=True) != "FINISHED":
                raise graph_error(400, 100, f"(#100) Child {child} is not a finished carousel item.", subcode=2207028)
        return children

    def _download(self, url, kind):
        """Fetch the media as Meta's servers do; returns (outcome, status message)."""
        try:
            answer = requests.get(url, timeout=5)
        except requests.RequestException:
            return "ERROR", DOWNLOAD_FAILED
        self.downloads.append({"url": url, "status": answer.status_code, "size": len(answer.content)})
        if answer.status_code != 200:
            return "ERROR", DOWNLOAD_FAILED
        if kind == "IMAGE" and not answer.content.startswith(b"\xff\xd8"):
            return "ERROR", NOT_JPEG
        if kind in ("VIDEO", "REELS") and answer.content[4:8] != b"ftyp":
            return "ERROR", NOT_VIDEO
        return "FINISHED", ""

    def status_of(self, container, peek=False):
        if container["media_id"]:
            return "PUBLISHED"
        if container["polls_left"] > 0:
            if not peek:
                container["polls_left"] -= 1
            return "IN_PROGRESS"
        return container["outcome"]

    def container_fields(self, request, container):
        self.ig_token_for(request, container["ig_id"])
        code = self.status_of(container)
        return {"status_code": code, "status": container["message"] if code == "ERROR" else STATUS[code], "id": container["id"]}

    def media_publish(self, request, ig_id):
        self.ig_token_for(request, ig_id)
        container = self.containers.get(request.param("creation_id", ""))
        if container is None or container["ig_id"] != ig_id or container["carousel_item"]:
            raise graph_error(400, 100, "(#100) The parameter creation_id is invalid.", subcode=2207006)
        if self.quota_usage(ig_id) >= self.quota_total:
            raise graph_error(400, 9, "Application request limit reached", subcode=2207042,
                              error_user_msg="You reached the maximum number of posts that is allowed to be published by the API in 24 hours.")
        code = self.status_of(container, peek=True)
        if code == "PUBLISHED":
            raise graph_error(400, 9007, "Media ID is not available", subcode=2207008, error_user_msg="The media has already been published.")
        if code != "FINISHED":
            raise graph_error(400, 9007, "Media ID is not available", subcode=2207027,
                              error_user_msg="The media is not ready for publishing, please wait for a moment")
        media_id = str(17_920_000_000_000_000 + next(self.ids))
        kind = {"IMAGE": "IMAGE", "REELS": "VIDEO", "VIDEO": "VIDEO", "CAROUSEL": "CAROUSEL_ALBUM"}[container["media_type"]]
        self.ig_media[media_id] = {"id": media_id, "ig_id": ig_id, "caption": container["caption"], "media_type": kind,
                                   "created": time.time(), "deleted": False, "container": container["id"],
                                   "children": container["children"], "insights": dict.fromkeys(INSIGHTS, 0)}
        container["media_id"] = media_id
        return {"id": media_id}

    def media_list(self, request, ig_id):
        self.ig_token_for(request, ig_id)
        limit = int(request.query.get("limit", 25))
        items = sorted((m for m in self.ig_media.values() if m["ig_id"] == ig_id and not m["deleted"]), key=lambda m: m["created"], reverse=True)
        return {"data": [self._media_body(m, request.query.get("fields", "id")) for m in items[:limit]]}

    def media_fields(self, request, media):
        self.ig_token_for(request, media["ig_id"])
        return self._media_body(media, request.query.get("fields", "id"))

    def _media_body(self, media, fields):
        body = {"id": media["id"]}
        extra = {"caption": media["caption"], "timestamp": stamp(media["created"]), "media_type": media["media_type"],
                 "permalink": f"https://www.instagram.com/p/Fk{media['id'][-8:]}/", "like_count": media["insights"]["likes"],
                 "comments_count": media["insights"]["comments"]}
        body.update({name: value for name, value in extra.items() if name in fields})
        return body

    def media_insights(self, request, media):
        self.ig_token_for(request, media["ig_id"])
        names = [n for n in request.query.get("metric", "").split(",") if n]
        unsupported = [n for n in names if n not in INSIGHTS or n in self.unsupported_insights]
        if unsupported:
            raise graph_error(400, 100, f"(#100) metric[0] must be one of the following values: {', '.join(INSIGHTS)}")
        return {"data": [{"name": n, "period": "lifetime", "values": [{"value": media["insights"][n]}], "title": n.title(),
                          "id": f"{media['id']}/insights/{n}/lifetime"} for n in names]}
