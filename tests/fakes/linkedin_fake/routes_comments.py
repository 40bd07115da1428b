"""Comments in the LinkedIn fake: the Comments API of the Community Management API,
learn.microsoft.com/linkedin/marketing/community-management/shares/comments-api ("Create a Comment",
"Get Comments on Shares"):

    POST /rest/socialActions/{encoded post urn}/comments  {"actor", "object", "message": {"text"}}
        -> 201, `x-restli-id: <comment id>`, the comment in the body (commentUrn, id, actor, object,
           message, created {actor, time}, lastModified)
    GET  /rest/socialActions/{encoded post urn}/comments?start=&count=
        -> {"paging": {start, count, total, links}, "elements": [comment, ...]}, oldest first

Behaviour and its source:
- writing needs w_member_social to comment as the member, w_organization_social (and an administrator
  role) as a page; reading needs r_member_social (partner-only) for a member's post or
  r_organization_social for a page's (the page's Permissions table); refused: 403 ACCESS_DENIED as the
  Posts API answers (samples.access_denied);
- `actor`, `object` and `message.text` are required and `object` must be the post in the path (the page
  documents them as required; the 422 wording is the fake's own, like the Posts API's here);
- a post that does not exist or was deleted answers 404 NOT_FOUND;
- text over 1,250 characters (the limit of LinkedIn's comment box, in UTF-16 units like the post
  limit) answers 422: the documentation states no limit for the API, so the fake holds the API to the
  box's, never to more;
- the comment URN is urn:li:comment:(<post urn>,<id>) (the page's format; LinkedIn writes the thread's
  activity URN there, which the fake does not model).
"""

from __future__ import annotations

from . import samples
from .server import Reply

MAX_COMMENT = 1250


class CommentRoutes:
    def route_comments(self, request, held, key):
        from .routes_rest import now_ms, urn_key

        urn = urn_key(key)
        post = self.post(urn)
        if request.method == "POST":
            return self._create_comment(request, held, urn, post, now_ms())
        if post is None or post.deleted:
            raise Reply(404, samples.NOT_FOUND)
        self.require(held, post.author, member_scope="r_member_social", organization_scope="r_organization_social",
                     resource="partnerApiSocialActions.GET-comments")
        comments = self.comments.get(urn, [])
        start, count = int(request.query.get("start", 0)), min(int(request.query.get("count", 10)), 100)
        return {"paging": {"start": start, "count": count, "total": len(comments), "links": []},
                "elements": [dict(c) for c in comments[start:start + count]]}

    def _create_comment(self, request, held, urn, post, now):
        body = request.json if isinstance(request.json, dict) else {}
        text = (body.get("message") or {}).get("text") if isinstance(body.get("message"), dict) else None
        for name, value in (("actor", body.get("actor")), ("object", body.get("object")), ("message/text", text)):
            if not value:
                raise Reply(422, samples.bad_request(f"/{name} :: field is required but not found and has no default value", 422))
        if body["object"] != urn:
            raise Reply(422, samples.bad_request(f"/object :: {body['object']} is not the entity in the path ({urn})", 422))
        self.require(held, body["actor"], member_scope="w_member_social", organization_scope="w_organization_social",
                     resource="partnerApiSocialActions.CREATE-comments")
        if post is None or post.deleted:
            raise Reply(404, samples.NOT_FOUND)
        if len(text.encode("utf-16-le")) // 2 > MAX_COMMENT:
            raise Reply(422, samples.bad_request(f"/message/text :: length exceeds {MAX_COMMENT} characters", 422))
        comment_id = str(6_636_000_000_000_000_000 + next(self._ids))
        comment = {"actor": body["actor"], "agent": held["member"].urn, "commentUrn": f"urn:li:comment:({urn},{comment_id})",
                   "id": comment_id, "object": urn, "message": {"attributes": [], "text": text},
                   "created": {"actor": held["member"].urn, "time": now}, "lastModified": {"actor": held["member"].urn, "time": now}}
        self.comments.setdefault(urn, []).append(comment)
        post.comments += 1
        raise Reply(201, comment, {"x-restli-id": comment_id})
