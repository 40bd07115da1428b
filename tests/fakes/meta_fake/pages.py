"""Facebook Page publishing: /{page-id}/feed (message, link, attached_media), /{page-id}/photos
(multipart source, published=false for attachments), /{page-id}/videos on graph-video, the /posts and
/videos edges (newest first, `since`), post fields with reaction/comment/share counts, insights, DELETE."""

from __future__ import annotations

import json
import time

from .server import graph_error

GONE = "Unsupported {verb} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, " \
       "or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
FB_MAX_CHARACTERS = 63206


def stamp(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(epoch))


class PageRoutes:
    def gone(self, verb, object_id):
        return graph_error(400, 100, GONE.format(verb=verb, id=object_id), subcode=33, kind="GraphMethodException")

    def new_post(self, page_id, message, **extra):
        post_id = f"{page_id}_{next(self.ids)}"
        self.posts[post_id] = {"id": post_id, "page_id": page_id, "message": message, "created": time.time(), "deleted": False,
                               "reactions": 0, "comments": 0, "shares": 0, "impressions": 0, **extra}
        return post_id

    def feed(self, request, page_id):
        self.page_token_for(request, page_id)
        message = request.param("message", "")
        if len(message) > FB_MAX_CHARACTERS:
            raise graph_error(400, 100, "(#100) The message is too long.", kind="OAuthException")
        attached = []
        for key in sorted(k for k in request.form if k.startswith("attached_media[")):
            photo_id = json.loads(request.form[key]).get("media_fbid")
            photo = self.photos.get(photo_id)
            if photo is None or photo["page_id"] != page_id or photo["published"]:
                raise graph_error(400, 100, f"(#100) param attached_media[0] has invalid media_fbid {photo_id}")
            attached.append(photo_id)
        if not message and not attached and not request.param("link"):
            raise graph_error(400, 100, "(#100) Missing message or attachment")
        post_id = self.new_post(page_id, message, link=request.param("link"), photos=attached)
        return {"id": post_id}

    def photos_create(self, request, page_id):
        self.page_token_for(request, page_id)
        source = request.files.get("source")
        if source is None and not request.param("url"):
            raise graph_error(400, 324, "(#324) Requires upload file", kind="OAuthException")
        photo_id = str(next(self.ids) + 10 ** 15)
        published = request.param("published", "true") != "false"
        self.photos[photo_id] = {"id": photo_id, "page_id": page_id, "published": published, "size": len(source["data"]) if source else 0}
        if not published:
            return {"id": photo_id}
        return {"id": photo_id, "post_id": self.new_post(page_id, request.param("message", ""), photos=[photo_id])}

    def videos_create(self, request, page_id):
        self.page_token_for(request, page_id)
        if not request.files.get("source"):
            raise graph_error(400, 390, "There was a problem uploading your video file. Please try again.")
        video_id = str(next(self.ids) + 2 * 10 ** 15)
        self.videos[video_id] = {"id": video_id, "page_id": page_id, "description": request.param("description", ""),
                                 "created": time.time(), "deleted": False, "reactions": 0, "comments": 0, "shares": 0,
                                 "impressions": 0, "size": len(request.files["source"]["data"])}
        return {"id": video_id}

    def edge_list(self, request, page_id, items, text_field):
        self.token_of(request)
        since = float(request.query.get("since") or 0)
        limit = int(request.query.get("limit", 25))
        chosen = sorted((i for i in items.values() if i["page_id"] == page_id and not i["deleted"] and i["created"] >= since),
                        key=lambda i: i["created"], reverse=True)[:limit]
        return {"data": [{"id": i["id"], text_field: i[text_field], "created_time": stamp(i["created"]),
                          "permalink_url": f"https://www.facebook.com/{i['id']}"} for i in chosen]}

    def object_fields(self, request, item):
        self.token_of(request)
        fields = request.query.get("fields", "id")
        body = {"id": item["id"], "created_time": stamp(item["created"])}
        if "message" in item:
            body["message"] = item["message"]
        if "permalink_url" in fields:
            body["permalink_url"] = f"https://www.facebook.com/{item['id']}"
        if "reactions" in fields:
            body["reactions"] = {"data": [], "summary": {"total_count": item["reactions"], "viewer_reaction": "NONE"}}
        if "comments" in fields:
            body["comments"] = {"data": [], "summary": {"order": "ranked", "total_count": item["comments"], "can_comment": True}}
        if "shares" in fields and item["shares"]:
            body["shares"] = {"count": item["shares"]}  # Meta omits `shares` while nobody has shared
        return body

    def post_insights(self, request, item):
        self.token_of(request)
        if not self.insights_permitted:
            raise graph_error(400, 10, "(#10) This endpoint requires the 'read_insights' permission.")
        return {"data": [{"name": "post_impressions", "period": "lifetime", "values": [{"value": item["impressions"]}],
                          "title": "Lifetime Post Total Impressions", "id": f"{item['id']}/insights/post_impressions/lifetime"}]}

    def delete_object(self, request, object_id):
        record = self.token_of(request)
        item = self.posts.get(object_id) or self.videos.get(object_id) or self.ig_media.get(object_id)
        if item is None or item.get("deleted"):
            raise self.gone("delete", object_id)
        owner = item.get("page_id") or self.instagram[item["ig_id"]]["page_id"]
        if record["kind"] != "page" or record["page_id"] != owner:
            raise graph_error(403, 200, "(#200) Permissions error")
        item["deleted"] = True
        return {"success": True}
