"""Facebook Page publishing: /{page-id}/feed (message, link, attached_media), /{page-id}/photos
(multipart source, published=false for attachments), /{page-id}/videos on graph-video, the /posts and
/videos edges (newest first, `since`), post fields with reaction/comment/share counts, insights, DELETE.

Each node type answers only its own fields, as Graph does: a field the node does not have fails the
whole call with (#100) "Tried accessing nonexisting field (shares) on node type (Video)". A Video has
no `shares` and no `reactions` (facebook-python-business-sdk adobjects/advideo.py: its fields and
edges; its counts are the `likes` and `comments` edges and /video_insights).

Post insights answer only current metrics. Meta's "Deprecated Facebook Page Insights Metrics" page
(developers.facebook.com/documentation/pages-api/platforminsights/page/deprecated-metrics) and the Pages
API changelog of 2025-11-15: `post_impressions*` are invalid for every API version ("the API will return
an invalid metric error"; alternatives post_media_view, post_total_media_view_unique); the body is
400 {"error": {"message": "(#100) The value must be a valid insights metric", "type": "OAuthException",
"code": 100}} as graph.facebook.com v23.0 answered a recorded live call. Video views come from
/{video-id}/video_insights (total_video_views, total_video_views_unique: Meta's Video API guide
"Video Insights", whose sample answer these bodies follow)."""

from __future__ import annotations

import json
import time

from .server import graph_error

GONE = "Unsupported {verb} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, " \
       "or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
FB_MAX_CHARACTERS = 63206
# The fields each node type has (and that the adapter or tests may ask for); any other is (#100).
POST_FIELDS = {"id", "message", "created_time", "permalink_url", "reactions", "comments", "shares", "likes", "link",
               "attachments", "from", "story", "full_picture", "status_type", "updated_time", "is_published"}
VIDEO_FIELDS = {"id", "description", "created_time", "permalink_url", "likes", "comments", "title", "length", "picture",
                "published", "source", "status", "updated_time", "from", "embed_html", "format", "icon"}
POST_METRICS = {"post_media_view", "post_total_media_view_unique", "post_clicks", "post_reactions_by_type_total"}
VIDEO_METRICS = {"total_video_views", "total_video_views_unique"}
INVALID_METRIC = "(#100) The value must be a valid insights metric"


def stamp(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(epoch))


class PageRoutes:
    def gone(self, verb, object_id):
        return graph_error(400, 100, GONE.format(verb=verb, id=object_id), subcode=33, kind="GraphMethodException")

    def new_post(self, page_id, message, **extra):
        post_id = f"{page_id}_{next(self.ids)}"
        self.posts[post_id] = {"id": post_id, "page_id": page_id, "message": message, "created": time.time(), "deleted": False,
                               "reactions": 0, "comments": 0, "shares": 0, "views": 0, "reach": 0, "clicks": 0, **extra}
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
                                 "created": time.time(), "deleted": False, "likes": 0, "comments": 0, "views": 0,
                                 "viewers": 0, "size": len(request.files["source"]["data"])}
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
        video = item["id"] in self.videos
        node, known = ("Video", VIDEO_FIELDS) if video else ("Post", POST_FIELDS)
        for name in top_level_fields(fields):
            if name not in known:
                raise graph_error(400, 100, f"(#100) Tried accessing nonexisting field ({name}) on node type ({node})")
        names = set(top_level_fields(fields))
        body = {"id": item["id"], "created_time": stamp(item["created"])}
        if "message" in item:
            body["message"] = item["message"]
        if "permalink_url" in names:
            body["permalink_url"] = f"https://www.facebook.com/{item['id']}"
        if "reactions" in names:
            body["reactions"] = {"data": [], "summary": {"total_count": item["reactions"], "viewer_reaction": "NONE"}}
        if "likes" in names:
            body["likes"] = {"data": [], "summary": {"total_count": item.get("likes", item.get("reactions", 0)), "can_like": True,
                                                     "has_liked": False}}
        if "comments" in names:
            body["comments"] = {"data": [], "summary": {"order": "ranked", "total_count": item["comments"], "can_comment": True}}
        if "shares" in names and item["shares"]:
            body["shares"] = {"count": item["shares"]}  # Meta omits `shares` while nobody has shared
        return body

    def post_insights(self, request, item):
        self.token_of(request)
        if not self.insights_permitted:
            raise graph_error(400, 10, "(#10) This endpoint requires the 'read_insights' permission.")
        if item["id"] in self.videos:  # a Video node has /video_insights, not /insights
            raise self.gone("get", f"{item['id']}/insights")
        names = [n for n in request.query.get("metric", "").split(",") if n]
        if not names:
            raise graph_error(400, 3001, "No metric was specified to be fetched. Please specify one or more metrics to be fetched "
                              "and try again.", subcode=1504028)
        if any(n not in POST_METRICS for n in names):
            raise graph_error(400, 100, INVALID_METRIC)
        values = {"post_media_view": item["views"], "post_total_media_view_unique": item["reach"], "post_clicks": item["clicks"],
                  "post_reactions_by_type_total": {"like": item["reactions"]} if item["reactions"] else {}}
        return {"data": [insight(item["id"], "insights", n, values[n]) for n in names]}

    def video_insights(self, request, item):
        self.token_of(request)
        if not self.insights_permitted:
            raise graph_error(400, 10, "(#10) This endpoint requires the 'read_insights' permission.")
        names = [n for n in request.query.get("metric", "").split(",") if n] or sorted(VIDEO_METRICS)
        if any(n not in VIDEO_METRICS for n in names):
            raise graph_error(400, 100, INVALID_METRIC)
        values = {"total_video_views": item["views"], "total_video_views_unique": item["viewers"]}
        return {"data": [insight(item["id"], "video_insights", n, values[n]) for n in names]}

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


def top_level_fields(fields):
    """The node fields named in a `fields` parameter: "reactions.summary(total_count).limit(0),shares"
    names reactions and shares (nested `{...}` and modifiers are not fields of this node)."""
    names, depth, current = [], 0, ""
    for char in fields + ",":
        if char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
        elif depth == 0 and char == ",":
            names.append(current.split(".")[0].strip())
            current = ""
        elif depth == 0:
            current += char
    return [name for name in names if name]


def insight(object_id, edge, name, value):
    return {"name": name, "period": "lifetime", "values": [{"value": value}], "title": name, "description": name,
            "id": f"{object_id}/{edge}/{name}/lifetime"}
