"""A stateful fake of the Meta Graph API (Facebook Login, Pages, Instagram content publishing) on
127.0.0.1, for adapter, connect and engine tests. Wire format follows Meta's: versioned paths
(`/v23.0/...`), Bearer or access_token tokens with appsecret_proof checked, form or multipart bodies,
`{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}` errors with Meta's codes
(190/463 expired, 190/458 revoked, 32/4/17 rate limits with X-App-Usage and X-Business-Use-Case-Usage,
9007/2207027 media not ready, 100/33 object gone). Bodies are grounded in sns-sdks/python-facebook
testdata (facebook/apidata/users/user_accounts_p1.json, posts/feed_fields_p1.json,
instagram/apidata/publish/*.json). login.py, pages.py, instagram.py hold the routes; server.py the HTTP side.

    fake = MetaFake(app_id="meta-app", app_secret="meta-secret"); base_url = fake.start()
    user = fake.add_user("Ada")                      # a Facebook user
    page = fake.add_page(user, "Ada's Bakery", instagram="adasbakery")   # a Page she manages (+ its IG account)
    fake.login = user["id"]                         # who approves the OAuth dialog (None / deny_authorization: refused)
    biz = fake.add_business("Ada Ltd", people=[user], owned=[fake.add_loose_page("Ada Ltd")], client=[...])
                                                    # Pages reachable only through a Business portfolio
    fake.login_config_ids = {"cfg-1"}               # a "Facebook Login for Business" app: the dialog needs config_id
    token = fake.page_token(user["id"], page["id"]) # a Page token without the dance; fake.user_token(user) likewise
    fake.expire(token); fake.revoke(token)          # 190/463 and 190/458 from then on
    fake.in_progress_polls = 2                      # containers read IN_PROGRESS twice before FINISHED/ERROR
    fake.container_failures.append("Error: ...")    # the next container ends in ERROR with this status
    fake.quota_total = 50; fake.extra_quota_usage = 0
    fake.instagram_granted = False                  # the login lacks the Instagram permissions: (#10) on that field
    fake.fail_next(kind, times=1, path=None, method=None, **options)
    fake.posts / photos / videos / containers / ig_media / requests / downloads

Fault kinds (path: prefix or suffix of the path without the version, e.g. "/media_publish"):
    "rate_limit"        400 with code (option, default 32) and usage headers (regain_minutes, default 5)
    "server_error"      500 code 2 is_transient, nothing stored
    "error"             status/code/subcode/message (options), nothing stored
    "error_after_store" the request is handled (a post IS stored), then 500 is answered
    "timeout"           handled (stored), then the answer waits `delay` s (default 3)
    "drop" / "drop_after_store"  the connection closes unanswered, before / after handling
"""

from __future__ import annotations

import itertools
import json
import threading
import time

from tests.fakes.http import serve, shut

from .comments import CommentRoutes
from .instagram import InstagramRoutes
from .login import LoginRoutes
from .pages import PageRoutes
from .server import Fault, Handler, Reply, Request, fault_reply, graph_error, hang_up, stall

__all__ = ["MetaFake", "Reply", "Request"]

FAULT_KINDS = {"rate_limit", "server_error", "error", "error_after_store", "timeout", "drop", "drop_after_store"}


class MetaFake(LoginRoutes, PageRoutes, InstagramRoutes, CommentRoutes):
    def __init__(self, *, app_id="meta-app", app_secret="meta-secret", version="v23.0"):
        self.app_id, self.app_secret, self.version = app_id, app_secret, version
        self.lock = threading.RLock()
        self.ids = itertools.count(1)
        self.users, self.pages, self.instagram, self.tokens, self.codes, self.businesses = {}, {}, {}, {}, {}, {}
        self.login_config_ids = set()  # non-empty: a "Facebook Login for Business" app, which needs one of these config_ids
        self.posts, self.photos, self.videos, self.containers, self.ig_media = {}, {}, {}, {}, {}
        self.comments, self.comments_granted = {}, True  # comments.py (first comments)
        self.requests, self.downloads, self.container_failures, self.faults = [], [], [], []
        self.login, self.deny_authorization, self.require_appsecret_proof = None, False, True
        self.in_progress_polls, self.quota_total, self.extra_quota_usage = 1, 50, 0
        self.insights_permitted, self.unsupported_insights, self.instagram_granted = True, set(), True
        self.latency, self.base_url, self._server = 0.0, "", None

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> str:
        self._server = serve(self, Handler, "meta-fake")
        return self.base_url

    def stop(self) -> None:
        shut(self._server)
        self._server = None

    def reset(self) -> None:
        with self.lock:
            for log in (self.requests, self.downloads, self.faults, self.container_failures):
                log.clear()
            self.login, self.deny_authorization, self.in_progress_polls, self.extra_quota_usage = None, False, 1, 0
            self.insights_permitted, self.unsupported_insights, self.quota_total, self.instagram_granted = True, set(), 50, True
            self.login_config_ids = set()
            self.comments_granted = True

    # --- state API -------------------------------------------------------------------------
    def add_user(self, name="Meta User"):
        with self.lock:
            user = {"id": str(10_000_000_000 + next(self.ids)), "name": name, "pages": []}
            self.users[user["id"]] = user
            return user

    def add_page(self, user, name, *, instagram=None, tasks=("ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE")):
        with self.lock:
            page = {"id": str(100_000_000_000_000 + next(self.ids)), "name": name, "username": "", "tasks": list(tasks), "instagram": None}
            self.pages[page["id"]] = page
            user["pages"].append(page["id"])
            if instagram:
                ig = {"id": str(17_841_400_000_000_000 + next(self.ids)), "username": instagram, "name": name, "page_id": page["id"]}
                self.instagram[ig["id"]] = ig
                page["instagram"] = ig["id"]
            return page

    def add_business(self, name, *, people=(), owned=(), client=()):
        """A Business portfolio: `people` (users) belong to it; its `owned` and `client` Pages are reachable
        through it (Graph: /me/businesses, /{business-id}/owned_pages, /client_pages) without being in the
        users' /me/accounts."""
        with self.lock:
            business = {"id": str(900_000_000_000 + next(self.ids)), "name": name, "people": [u["id"] for u in people],
                        "owned": [p["id"] for p in owned], "client": [p["id"] for p in client]}
            self.businesses[business["id"]] = business
            return business

    def add_loose_page(self, name, *, instagram=None):
        """A Page no user manages directly (only a Business portfolio gives access to it)."""
        with self.lock:
            owner = {"id": "0", "pages": []}
            page = self.add_page(owner, name, instagram=instagram)
            return page

    def user_token(self, user, *, lifetime=5183944):
        with self.lock:
            return self.new_token("user_long", user["id"], lifetime=lifetime)

    def expire(self, token):
        with self.lock:
            self.tokens[token]["expires_at"] = time.time() - 1

    def revoke(self, token):
        with self.lock:
            self.tokens[token]["revoked"] = True

    def fail_next(self, kind, times=1, path=None, method=None, **options):
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(FAULT_KINDS)}")
        with self.lock:
            self.faults.append(Fault(kind, times, path, method.upper() if method else None, options))

    def live_posts(self, page_id=None):
        with self.lock:
            items = list(self.posts.values()) + list(self.videos.values())
            return [p for p in items if not p["deleted"] and (page_id is None or p["page_id"] == page_id)]

    def live_media(self, ig_id=None):
        with self.lock:
            return [m for m in self.ig_media.values() if not m["deleted"] and (ig_id is None or m["ig_id"] == ig_id)]

    def requests_to(self, suffix, method=None):
        with self.lock:
            return [r for r in self.requests if r.path.endswith(suffix) and (method is None or r.method == method)]

    # --- request handling ------------------------------------------------------------------
    def handle(self, handler) -> None:
        request = handler.read_request()
        if self.latency:
            time.sleep(self.latency)
        path = request.path
        prefix = f"/{self.version}"
        if path.startswith(prefix + "/"):
            path = path[len(prefix):]
        with self.lock:
            self.requests.append(request)
            fault = next((f for f in self.faults if f.matches(request.method, path)), None)
            if fault:
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
        if fault and fault.kind == "drop":
            return hang_up(handler)
        if fault and fault.kind in ("rate_limit", "server_error", "error"):
            return handler.send(fault_reply(fault))
        try:
            if request.path == path and not path.startswith("/dialog"):
                raise graph_error(400, 2635, "Unknown path components: the request must name an API version.")
            with self.lock:
                reply = Reply(200, self.route(request.method, path, request))
        except Reply as answer:
            reply = answer
        if fault and fault.kind == "drop_after_store":
            return hang_up(handler)
        if fault and fault.kind == "error_after_store":
            reply = fault_reply(fault)
        if fault and fault.kind == "timeout":
            stall(fault.options.get("delay", 3))
        reply.headers.setdefault("X-App-Usage", json.dumps({"call_count": 1, "total_cputime": 1, "total_time": 1}))
        handler.send(reply)

    def route(self, method, path, request):
        parts = [p for p in path.split("/") if p]
        if method == "GET" and parts == ["dialog", "oauth"]:
            return self.dialog(request)
        if method == "GET" and parts == ["oauth", "access_token"]:
            return self.access_token(request)
        if parts == ["me"]:
            return self.me(request)
        if parts == ["me", "accounts"]:
            return self.me_accounts(request)
        if parts == ["me", "businesses"]:
            return self.me_businesses(request)
        if len(parts) == 2 and parts[0] in self.businesses and parts[1] in ("owned_pages", "client_pages") and method == "GET":
            return self.business_pages(request, parts[0], parts[1])
        if len(parts) == 1 and method == "DELETE":
            return self.delete_object(request, parts[0])
        if len(parts) == 1 and method == "GET":
            return self.read_object(request, parts[0])
        if len(parts) == 2:
            return self.edge(method, parts[0], parts[1], request)
        raise graph_error(400, 100, f"Unsupported {method.lower()} request.", kind="GraphMethodException")

    def read_object(self, request, object_id):
        if object_id in self.pages:
            return self.page_fields(request, self.pages[object_id])
        if object_id in self.instagram:
            return self.ig_fields(request, self.instagram[object_id])
        if object_id in self.containers:
            return self.container_fields(request, self.containers[object_id])
        media = self.ig_media.get(object_id)
        if media and not media["deleted"]:
            return self.media_fields(request, media)
        if object_id in self.comments:
            return self.comment_fields(request, self.comments[object_id])
        item = self.posts.get(object_id) or self.videos.get(object_id)
        if item and not item["deleted"]:
            return self.object_fields(request, item)
        raise self.gone("get", object_id)

    def edge(self, method, object_id, name, request):
        page_routes = {
            ("POST", "feed"): self.feed, ("POST", "photos"): self.photos_create, ("POST", "videos"): self.videos_create,
            ("GET", "posts"): lambda r, i: self.edge_list(r, i, self.posts, "message"),
            ("GET", "videos"): lambda r, i: self.edge_list(r, i, self.videos, "description"),
        }
        instagram_routes = {
            ("POST", "media"): self.create_container, ("GET", "media"): self.media_list,
            ("POST", "media_publish"): self.media_publish, ("GET", "content_publishing_limit"): self.publishing_limit,
        }
        routes = page_routes if object_id in self.pages else instagram_routes if object_id in self.instagram else {}
        if (method, name) in routes:
            return routes[(method, name)](request, object_id)
        if name == "comments" and method in ("GET", "POST"):
            return self.comments_edge(method, object_id, request)
        if (method, name) == ("GET", "insights"):
            media = self.ig_media.get(object_id)
            if media and not media["deleted"]:
                return self.media_insights(request, media)
            item = self.posts.get(object_id) or self.videos.get(object_id)
            if item and not item["deleted"]:
                return self.post_insights(request, item)
        if (method, name) == ("GET", "video_insights") and object_id in self.videos and not self.videos[object_id]["deleted"]:
            return self.video_insights(request, self.videos[object_id])
        raise self.gone(method.lower(), object_id)
