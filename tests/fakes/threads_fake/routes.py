"""Endpoints of the Threads fake (state lives in server.py). Paths as on graph.threads.net."""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone

import requests
from urllib.parse import urlencode

from tests.fakes.fake_server import Reply

from . import recorded

_VERSIONED = re.compile(r"^/v1\.0/(?P<rest>.+)$")


def _bad(body, status=400):
    return Reply(status, body)


def _length(text: str) -> int:
    """Meta counts emoji by their UTF-8 bytes; 4-byte characters here stand for emoji."""
    return sum(4 if len(ch.encode()) == 4 else 1 for ch in text)


# Threads "Text attachments" docs (developers.facebook.com/documentation/threads/create-posts/text-attachments):
# since 2025-12-22 a post with more than 5 links fails at container creation (POST /{user-id}/threads) with
# THREADS_API__LINK_LIMIT_EXCEEDED; "all unique URLs found in the text field are counted", bare domains such as
# www.facebook.com included, plus a different link attachment. This pattern counts any dotted host name, with
# or without a scheme: at least as many links as Meta finds, never fewer.
MAX_LINKS = 5
_LINK = re.compile(r"(?i)(?:https?://)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?::\d+)?(?:/[^\s]*)?")


def _links(text: str) -> set[str]:
    return {match.group(0).rstrip(".,;:!?)") for match in _LINK.finditer(text or "")}


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")


class ThreadsRoutes:
    def route(self, request):
        path = request.path.rstrip("/")
        if path == "/oauth/access_token" and request.method == "POST":
            return self._code_exchange(request.params)
        if path == "/oauth/authorize":  # threads.net's consent screen, approved by `authorize_as`
            return self._authorize(request.params)
        if path == "/access_token":
            return self._long_lived(request.params)
        if path == "/refresh_access_token":
            return self._refresh(request.params)
        match = _VERSIONED.match(path)
        if not match:
            return _bad(recorded.error("Unknown path components", 2500), 404)
        user_id = self._authenticate(request)
        parts = match["rest"].split("/")
        if parts == ["me"]:
            return self._profile(self.users[user_id])
        if len(parts) == 2 and parts[1] in ("threads", "threads_publish", "threads_publishing_limit"):
            owner = user_id if parts[0] == "me" else parts[0]
            if owner != user_id:
                return _bad(recorded.error("Unsupported request - method type: post", 100, subcode=33, type_="GraphMethodException"))
            handler = {"threads": self._threads, "threads_publish": self._publish, "threads_publishing_limit": self._limit}[parts[1]]
            return handler(request, user_id)
        if len(parts) == 2 and parts[1] == "insights":
            return self._insights(parts[0], request.params, user_id)
        if len(parts) == 2 and parts[1] == "replies" and (parts[0] == "me" or parts[0] in self.users):
            return self._user_replies(parts[0], request, user_id)
        if len(parts) == 2 and parts[1] in ("replies", "conversation"):
            return self._replies(parts[0], request, user_id, nested=parts[1] == "conversation")
        if len(parts) == 2 and parts[1] == "threads_insights":
            return self._user_insights(parts[0], request.params, user_id)
        if len(parts) == 1:
            return self._object(parts[0], request, user_id)
        return _bad(recorded.error("Unknown path components", 2500), 404)

    # --- user insights (analytics) ------------------------------------------------------------
    def _user_insights(self, owner, params, user_id):
        """GET /{threads-user-id}/threads_insights?metric=followers_count (developers.facebook.com/docs/
        threads/insights, "User Insights": followers_count is answered as a total_value, not per-day
        values; other user metrics are not served by this fake). A user reads only their own."""
        owner = user_id if owner == "me" else owner
        if owner != user_id:
            return _bad(recorded.error("Unsupported get request.", 100, subcode=33, type_="GraphMethodException"))
        names = [m for m in (params.get("metric") or "").split(",") if m]
        if not names or any(m != "followers_count" for m in names):
            return _bad(recorded.error("(#100) Param metric must be one of {followers_count}", 100))
        followers = getattr(self.users[user_id], "followers_count", 0)
        return Reply(200, {"data": [{"name": "followers_count", "period": "day", "title": "followers_count",
                                     "description": "The number of followers on the profile.", "total_value": {"value": followers},
                                     "id": f"{user_id}/insights/followers_count/day"}]})

    # --- replies ------------------------------------------------------------------------------
    def _replies(self, media_id, request, user_id, *, nested):
        """GET /{media-id}/replies (top-level replies) and /{media-id}/conversation (all depths), as Threads'
        "Retrieve Media Replies and Conversations" docs describe them: `reverse` (default true, newest first),
        only the requested `fields` (id by default), `is_reply_owned_by_me`, `replied_to` and `root_post` as
        {"id"}, cursor paging. Needs threads_read_replies; Graph's code 10 without it (the Graph API's
        "Application does not have permission for this action"). Pages of 25 (Graph's usual default)."""
        if "threads_read_replies" not in self._grant(request)["scopes"]:
            return Reply(403, recorded.error("(#10) Application does not have permission for this action", 10))
        root = self.media.get(media_id)
        if root is None or root.deleted:
            return _bad(recorded.error(f"Unsupported get request. Object with ID '{media_id}' does not exist, cannot be loaded "
                                       "due to missing permissions, or does not support this operation.", 100, subcode=33,
                                       type_="GraphMethodException"))
        replies = [p for p in self.media.values() if not p.deleted and p.reply_to_id
                   and (self._root_of(p) == media_id if nested else p.reply_to_id == media_id)]
        replies.sort(key=lambda p: p.timestamp, reverse=request.params.get("reverse", "true") != "false")
        return self._reply_page(replies, request, user_id)

    def _user_replies(self, owner, request, user_id):
        """GET /{threads-user-id}/replies: the replies the user made, newest first (Threads "Retrieve User
        Replies", developers.facebook.com/documentation/threads/retrieve-and-manage-replies/retrieve-replies;
        the "Retrieve User Posts" page sends replies there: /{threads-user-id}/threads lists none). A GET on
        a reply endpoint, so threads_read_replies is needed ("Retrieve and Manage Replies": required for GET
        calls to reply endpoints); only the user's own list, as /threads. Same fields and paging as /replies."""
        if "threads_read_replies" not in self._grant(request)["scopes"]:
            return Reply(403, recorded.error("(#10) Application does not have permission for this action", 10))
        owner = user_id if owner == "me" else owner
        if owner != user_id:
            return _bad(recorded.error("Unsupported get request.", 100, subcode=33, type_="GraphMethodException"))
        replies = sorted((p for p in self.media.values() if not p.deleted and p.reply_to_id and p.user_id == user_id),
                         key=lambda p: p.timestamp, reverse=True)
        return self._reply_page(replies, request, user_id)

    def _reply_page(self, replies, request, user_id):
        """One page of `replies` (offset cursors), each with only the requested `fields` (id by default)."""
        offset = int(request.params.get("after") or 0)
        size = int(request.params.get("limit") or 25)
        page = replies[offset:offset + size]
        fields = set((request.params.get("fields") or "id").split(","))
        data = []
        for reply in page:
            full = {"id": reply.id, "text": reply.text, "timestamp": _iso(reply.timestamp), "permalink": self._permalink(reply),
                    "username": self.users[reply.user_id].username, "media_product_type": "THREADS",
                    "media_type": {"TEXT": "TEXT_POST", "CAROUSEL": "CAROUSEL_ALBUM"}.get(reply.media_type, reply.media_type),
                    "is_reply": True, "is_reply_owned_by_me": reply.user_id == user_id, "hide_status": "NOT_HUSHED",
                    "replied_to": {"id": reply.reply_to_id}, "root_post": {"id": self._root_of(reply)}}
            data.append({key: value for key, value in full.items() if key in fields | {"id"}})
        paging = {"cursors": {"before": str(offset), "after": str(offset + len(page))}}
        if offset + size < len(replies):
            paging["next"] = f"{self.base_url}{request.path}?after={offset + size}"
        return Reply(200, {"data": data, "paging": paging})

    def _root_of(self, post):
        while post.reply_to_id and post.reply_to_id in self.media:
            post = self.media[post.reply_to_id]
        return post.id

    # --- OAuth ------------------------------------------------------------------------------
    def _authorize(self, params):
        if params.get("client_id") != self.app_id or self.authorize_as is None:
            return Reply(400, raw=b"Invalid app ID", content_type="text/html")
        # The consent screen grants what the app asked for (threads.net/oauth/authorize `scope`, comma-separated).
        code = self.grant_code(self.authorize_as, params.get("redirect_uri", ""), [s for s in params.get("scope", "").split(",") if s])
        return Reply(302, headers={"Location": f"{params.get('redirect_uri')}?{urlencode({'code': code, 'state': params.get('state', '')})}#_"})

    def _code_exchange(self, params):
        if params.get("client_id") != self.app_id or params.get("client_secret") != self.app_secret:
            return _bad(recorded.error("Error validating client secret.", 1, type_="OAuthException"))
        grant = self.codes.pop(params.get("code", ""), None)
        if grant is None or params.get("grant_type") != "authorization_code":
            return _bad(recorded.error("Invalid verification code format.", 100, type_="OAuthException"))
        user_id, redirect_uri, scopes = grant
        if params.get("redirect_uri") != redirect_uri:
            return _bad(recorded.error("Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request", 100, subcode=36008))
        token = self.issue_token(self.users[user_id], expires_in=3600, prefix="THAS", scopes=scopes)
        return Reply(200, {**recorded.SHORT_LIVED_TOKEN, "access_token": token, "user_id": int(user_id)})

    def _long_lived(self, params):
        if params.get("grant_type") != "th_exchange_token" or params.get("client_secret") != self.app_secret:
            return _bad(recorded.error("Error validating client secret.", 1))
        grant = self._valid_token(params.get("access_token", ""))
        token = self.issue_token(self.users[grant["user_id"]], scopes=grant["scopes"])
        return Reply(200, {**recorded.LONG_LIVED_TOKEN, "access_token": token})

    def _refresh(self, params):
        if params.get("grant_type") != "th_refresh_token":
            return _bad(recorded.error("Unsupported grant_type", 100))
        grant = self._valid_token(params.get("access_token", ""))
        if time.time() - grant["issued_at"] < self.min_refresh_age:
            return _bad(recorded.error("The token must be at least 24 hours old to be refreshed.", 100))
        token = self.issue_token(self.users[grant["user_id"]], scopes=grant["scopes"])
        return Reply(200, {**recorded.LONG_LIVED_TOKEN, "access_token": token})

    def _valid_token(self, token):
        grant = self.tokens.get(token)
        if grant is None:
            raise _bad(recorded.INVALID_TOKEN)
        if grant["revoked"]:
            raise _bad(recorded.REVOKED_TOKEN)
        if grant["expires_at"] < time.time():
            raise _bad(recorded.EXPIRED_TOKEN)
        return grant

    def _authenticate(self, request) -> str:
        return self._grant(request)["user_id"]

    def _grant(self, request) -> dict:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else request.params.get("access_token", "")
        return self._valid_token(token)

    def _profile(self, user):
        return Reply(200, {"id": user.id, "username": user.username, "name": user.name})

    # --- Publishing -------------------------------------------------------------------------
    def _threads(self, request, user_id):
        if request.method == "GET":
            # The user's top-level posts, newest first. Never their replies: Threads' "Retrieve User Posts"
            # (developers.facebook.com/documentation/threads/retrieve-and-discover-posts/retrieve-posts) says
            # "To retrieve posts that are replies, refer to Retrieve User Replies" (GET /{threads-user-id}/replies,
            # served above), and the reference's `owner` field exists "only on top-level posts".
            offset = int(request.params.get("after") or 0)
            size = int(request.params.get("limit") or 25)
            posts = sorted((p for p in self.posts if p.user_id == user_id and not p.reply_to_id), key=lambda p: p.timestamp, reverse=True)
            page = posts[offset:offset + size]
            data = [{"id": p.id, "text": p.text, "permalink": self._permalink(p), "timestamp": _iso(p.timestamp), "media_type": p.media_type}
                    for p in page]
            paging = {"cursors": {"before": str(offset), "after": str(offset + len(page))}}
            if offset + size < len(posts):
                paging["next"] = f"{self.base_url}{request.path}?after={offset + size}"
            return Reply(200, {"data": data, "paging": paging})
        params = request.params
        media_type, text = params.get("media_type", ""), params.get("text", "")
        if media_type not in ("TEXT", "IMAGE", "VIDEO", "CAROUSEL"):
            return _bad(recorded.error("Param media_type must be one of {TEXT, IMAGE, VIDEO, CAROUSEL}", 100))
        if _length(text) > 500:
            return _bad(recorded.error("Param text must be at most 500 characters long.", 100, subcode=4279009))
        links = _links(text) | ({params["link_attachment"]} if params.get("link_attachment") else set())
        if len(links) > MAX_LINKS:
            return _bad(recorded.LINK_LIMIT_EXCEEDED)
        container = self._new_container(user_id, media_type, params)
        if isinstance(container, Reply):
            return container
        self.containers[container.id] = container
        return Reply(200, {"id": container.id})

    def _new_container(self, user_id, media_type, params):
        from .server import FakeContainer

        container = FakeContainer(self.new_id(), user_id, media_type, text=params.get("text", ""),
                                  is_carousel_item=params.get("is_carousel_item") == "true", polls_left=self.in_progress_polls)
        if media_type == "TEXT" and not container.text:
            return _bad(recorded.error("Param text is required for media_type TEXT", 100))
        # A reply names a published Threads post (developers.facebook.com/docs/threads/reply-management:
        # `reply_to_id`, the media id replied to). An unknown or deleted one is refused as an invalid
        # parameter (Graph's code 100 shape; the sentence is ours, no recorded body exists).
        container.reply_to_id = params.get("reply_to_id", "")
        if container.reply_to_id and (self.media.get(container.reply_to_id) is None or self.media[container.reply_to_id].deleted):
            return _bad(recorded.error("Param reply_to_id must be the id of a Threads post that exists", 100))
        if media_type in ("IMAGE", "VIDEO"):
            url = params.get("image_url" if media_type == "IMAGE" else "video_url", "")
            if not url:
                return _bad(recorded.error(f"Param {'image_url' if media_type == 'IMAGE' else 'video_url'} is required", 100))
            container.media_url = url
            if not self._download(url):  # Meta fetches the file itself: a dead URL makes the container fail
                container.status, container.error_message = "ERROR", f"FAILED_DOWNLOADING_{media_type}"
        if media_type == "CAROUSEL":
            ids = [c for c in params.get("children", "").split(",") if c]
            children = [self.containers.get(c) for c in ids]
            if not 2 <= len(ids) <= 20 or any(c is None or c.user_id != user_id or not c.is_carousel_item for c in children):
                return _bad(recorded.error("Param children must name 2 to 20 carousel item containers", 100))
            container.children = ids
            if any(c.status == "ERROR" for c in children):
                container.status, container.error_message = "ERROR", "UNKNOWN"
        return container

    def _download(self, url) -> bool:
        try:
            return requests.get(url, timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def _publish(self, request, user_id):
        if request.method != "POST":
            return _bad(recorded.error("Unsupported get request.", 100))
        container = self.containers.get(request.params.get("creation_id", ""))
        if container is None or container.user_id != user_id:
            return _bad(recorded.error("Param creation_id must be a valid media container id", 100))
        # Two quotas ("Overview" and "Retrieve and Manage Replies"): 250 posts and, apart, 1,000 replies a day.
        if container.reply_to_id and self._reply_usage(user_id) >= self.reply_quota_total:
            return _bad(recorded.REPLY_QUOTA_REACHED)
        if not container.reply_to_id and self._usage(user_id) >= self.quota_total:
            return _bad(recorded.QUOTA_REACHED)
        if container.status == "IN_PROGRESS" or (container.status == "ERROR"):
            return _bad(recorded.NOT_READY if container.status == "IN_PROGRESS" else recorded.error(container.error_message, 24, subcode=4279005))
        if container.status == "PUBLISHED":
            return _bad(recorded.error("The media container has already been published.", 100, subcode=4279006))
        from .server import FakePost

        post = FakePost(self.new_id(), user_id, container.id, container.media_type, container.text, time.time(), children=container.children,
                        reply_to_id=container.reply_to_id)
        self.media[post.id] = post
        container.status, container.media_id = "PUBLISHED", post.id
        return Reply(200, {"id": post.id})

    def _usage(self, user_id, *, replies=False) -> int:
        """Published in the last 24 hours: top-level posts (the 250 quota), or replies (the 1,000 one)."""
        day_ago = time.time() - 86400
        return sum(1 for p in self.media.values() if p.user_id == user_id and p.timestamp >= day_ago and bool(p.reply_to_id) == replies)

    def _reply_usage(self, user_id) -> int:
        return self._usage(user_id, replies=True)

    def _limit(self, request, user_id):
        """GET /{user}/threads_publishing_limit: the requested `fields` of quota_usage/config (posts) and
        reply_quota_usage/reply_config (replies; these need threads_manage_replies, "Retrieve and Manage
        Replies": "This endpoint requires the threads_basic, threads_content_publish, and threads_manage_replies
        permissions")."""
        fields = set((request.params.get("fields") or "quota_usage,config").split(","))
        if fields & {"reply_quota_usage", "reply_config"} and "threads_manage_replies" not in self._grant(request)["scopes"]:
            return Reply(403, recorded.error("(#10) Application does not have permission for this action", 10))
        row = {"quota_usage": self._usage(user_id), "config": {"quota_total": self.quota_total, "quota_duration": 86400},
               "reply_quota_usage": self._reply_usage(user_id),
               "reply_config": {"quota_total": self.reply_quota_total, "quota_duration": 86400}}
        return Reply(200, {"data": [{key: value for key, value in row.items() if key in fields}]})

    # --- Objects: containers and media ------------------------------------------------------
    def _object(self, object_id, request, user_id):
        container = self.containers.get(object_id)
        if container is not None and container.user_id == user_id and request.method == "GET":
            if container.status == "IN_PROGRESS":
                if container.polls_left <= 0:
                    container.status = "FINISHED"
                container.polls_left -= 1
            body = {"id": container.id, "status": container.status}
            if container.error_message:
                body["error_message"] = container.error_message
            return Reply(200, body)
        post = self.media.get(object_id)
        if post is None or post.deleted or post.user_id != user_id:
            return _bad(recorded.error(f"Unsupported {request.method.lower()} request. Object with ID '{object_id}' does not exist, "
                                       "cannot be loaded due to missing permissions, or does not support this operation.", 100, subcode=33,
                                       type_="GraphMethodException"))
        if request.method == "DELETE":
            post.deleted = True
            return Reply(200, {**recorded.DELETED, "deleted_id": post.id})
        return Reply(200, {"id": post.id, "text": post.text, "media_type": post.media_type,
                           "permalink": self._permalink(post), "timestamp": _iso(post.timestamp)})

    def _permalink(self, post):
        return f"https://www.threads.net/@{self.users[post.user_id].username}/post/T{post.id[-8:]}"

    def _insights(self, media_id, params, user_id):
        post = self.media.get(media_id)
        if post is None or post.deleted or post.user_id != user_id:
            return _bad(recorded.error(f"Object with ID '{media_id}' does not exist", 100, subcode=33, type_="GraphMethodException"))
        names = [m for m in params.get("metric", "").split(",") if m]
        unknown = [m for m in names if m not in post.insights]
        if not names or unknown:
            return _bad(recorded.error(f"metric[0] must be one of the following values: {', '.join(post.insights)}", 100))
        data = [{**recorded.INSIGHT, "name": m, "title": m, "values": [{"value": post.insights[m]}], "id": f"{media_id}/insights/{m}/lifetime"}
                for m in names]
        return Reply(200, {"data": data})
