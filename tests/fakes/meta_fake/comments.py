"""Comments, as first comments use them: Facebook Page posts and Instagram media.

Facebook (Graph API reference "/{object-id}/comments", Creating): POST /{page-post-id}/comments with
`message` (or an attachment) as the Page, with a Page token of the post's Page (a token of another Page,
or without pages_manage_engagement, is refused (#200)); answered {"id": "<post id>_<comment id>"}.
Empty: (#100) "Missing message or attachment" (the same words /feed uses). Reading: GET
/{page-post-id}/comments (`filter`, `order`: chronological | reverse_chronological, `limit`), each item
{id, message, created_time, from: {id, name}, permalink_url}; GET /{comment-id}?fields=permalink_url.
Over FB_MAX_COMMENT characters is refused with (#100): the network's comment box stops at 8,000; the
exact words of the API's refusal are not documented, so the fake is strict and generic.

Instagram (IG Media > Comments reference): POST /{ig-media-id}/comments with `message` (required),
Page token of the linked Page, and the instagram_manage_comments permission (else (#10), as
ig_token_for refuses other Pages); answered {"id": "<ig comment id>"}. GET /{ig-media-id}/comments
answers [{timestamp, text, id}] (+ username, from when asked), newest first as the comment-moderation
guide's sample. Captions' limits (2,200 characters, 30 hashtags) refused with Meta's (#100) words.
A deleted post or media: the object is gone (#100, subcode 33), as for any other call on it.
"""

from __future__ import annotations

import re
import time

from .instagram import MAX_CAPTION, MAX_HASHTAGS
from .pages import stamp
from .server import graph_error

FB_MAX_COMMENT = 8000


class CommentRoutes:
    def comments_edge(self, method, object_id, request):
        item = self.posts.get(object_id) or self.videos.get(object_id)
        if item is not None and not item["deleted"]:
            return self.fb_comment_create(request, item) if method == "POST" else self.fb_comment_list(request, item)
        media = self.ig_media.get(object_id)
        if media is not None and not media["deleted"]:
            return self.ig_comment_create(request, media) if method == "POST" else self.ig_comment_list(request, media)
        raise self.gone(method.lower(), object_id)

    def comment_fields(self, request, comment):
        self.token_of(request)
        body = {"id": comment["id"], "created_time": stamp(comment["created"])}
        fields = request.query.get("fields", "id")
        if "message" in fields:
            body["message"] = comment["message"]
        if "permalink_url" in fields and comment["kind"] == "facebook":
            body["permalink_url"] = f"https://www.facebook.com/{comment['parent']}?comment_id={comment['id'].split('_')[-1]}"
        return body

    # --- Facebook ----------------------------------------------------------------------------
    def fb_comment_create(self, request, item):
        self.page_token_for(request, item["page_id"])
        if not self.comments_granted:
            raise graph_error(403, 200, "(#200) Requires pages_manage_engagement permission to manage the object", kind="OAuthException")
        message = request.param("message", "")
        if not message and not request.param("attachment_url") and not request.files.get("source"):
            raise graph_error(400, 100, "(#100) Missing message or attachment")
        if len(message) > FB_MAX_COMMENT:
            raise graph_error(400, 100, "(#100) The comment is too long.")
        comment_id = f"{item['id'].split('_')[-1]}_{next(self.ids)}"
        self.comments[comment_id] = {"id": comment_id, "kind": "facebook", "parent": item["id"], "message": message,
                                     "from": {"id": item["page_id"], "name": self.pages[item["page_id"]]["name"]},
                                     "created": time.time()}
        item["comments"] = item.get("comments", 0) + 1
        return {"id": comment_id}

    def fb_comment_list(self, request, item):
        self.token_of(request)
        newest_first = request.query.get("order") == "reverse_chronological"
        chosen = sorted((c for c in self.comments.values() if c["parent"] == item["id"]), key=lambda c: c["created"], reverse=newest_first)
        limit = int(request.query.get("limit", 25))
        return {"data": [{"id": c["id"], "message": c["message"], "created_time": stamp(c["created"]), "from": c["from"],
                          "permalink_url": f"https://www.facebook.com/{item['id']}?comment_id={c['id'].split('_')[-1]}"}
                         for c in chosen[:limit]]}

    # --- Instagram ---------------------------------------------------------------------------
    def ig_comment_create(self, request, media):
        self.ig_token_for(request, media["ig_id"])
        if not self.comments_granted:
            raise graph_error(403, 10, "(#10) Application does not have permission for this action")
        message = request.param("message", "")
        if not message:
            raise graph_error(400, 100, "(#100) The parameter message is required")
        if len(message) > MAX_CAPTION or len(re.findall(r"#\w+", message)) > MAX_HASHTAGS:
            raise graph_error(400, 100, "Invalid parameter", error_user_msg="The comment is too long or has too many hashtags.")
        comment_id = str(17_850_000_000_000_000 + next(self.ids))
        ig = self.instagram[media["ig_id"]]
        self.comments[comment_id] = {"id": comment_id, "kind": "instagram", "parent": media["id"], "message": message,
                                     "username": ig["username"], "from": {"id": ig["id"], "username": ig["username"]},
                                     "created": time.time()}
        media["insights"]["comments"] += 1
        return {"id": comment_id}

    def ig_comment_list(self, request, media):
        self.ig_token_for(request, media["ig_id"])
        fields = request.query.get("fields", "id,text,timestamp")
        chosen = sorted((c for c in self.comments.values() if c["parent"] == media["id"]), key=lambda c: c["created"], reverse=True)
        items = []
        for c in chosen[: int(request.query.get("limit", 25))]:
            body = {"id": c["id"], "text": c["message"], "timestamp": stamp(c["created"])}
            if "username" in fields:
                body["username"] = c["username"]
            if "from" in fields:
                body["from"] = c["from"]
            items.append(body)
        return {"data": items}

    def comments_on(self, object_id):
        with self.lock:
            return [c for c in self.comments.values() if c["parent"] == object_id]
