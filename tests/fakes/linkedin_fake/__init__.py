"""A stateful fake of the LinkedIn endpoints the scheduler uses, on 127.0.0.1 in a background thread:
OAuth (authorization, accessToken with refresh), OpenID userinfo, and the versioned REST API (posts,
images, videos with upload URLs the fake serves, social actions, share statistics, organizationAcls,
organizations). Wire formats: routes_rest.py, routes_oauth.py, samples.py (sources noted there).

Python API
    fake = LinkedInFake(client_id="li-client", client_secret="li-secret"); fake.start(); fake.stop()
    member = fake.add_member("Ada Lovelace")           # FakeMember(id, name, ...); .urn = urn:li:person:<id>
    org = fake.add_organization("Acme", admins=[member])  # FakeOrganization; .urn = urn:li:organization:<id>
    fake.login = member                                # who approves GET /oauth/v2/authorization
    fake.deny_next = True                              # the next authorization is cancelled by the user
    tokens = fake.issue_tokens(member, scopes=[...], refresh=True)  # token answer, no browser dance
    fake.expire(token); fake.revoke(token)             # that access token now answers 401 65602 / 65601
    fake.video_processing_polls = 2                    # GETs of a finalized video that say PROCESSING
    fake.fail_next_video = "Unsupported codec"         # the next video ends PROCESSING_FAILED
    fake.video_part_size = 65536                       # size of the uploadInstructions parts (4 MiB)
    fake.fail_next(kind, times=1, path=None, method=None, **options)
    fake.posts / fake.post(urn) / fake.posts_by(author_urn) / fake.requests / fake.requests_to(path, method)
    fake.comments_on(post_urn)                         # the comments created on a post (routes_comments.py)

Fault kinds (matched by optional raw `path` prefix and `method`; each fires `times` times):
    "rate_limit"          429 TOO_MANY_REQUESTS (option retry_after adds a Retry-After header)
    "server_error"        `status` (default 500); nothing is stored
    "status"              any `status` with `body`/`headers`; nothing is stored
    "error_after_store"   the request is handled (a post IS created), then `status` (default 500) is answered
    "timeout"             the request is handled, then the answer waits `delay` (default fake.timeout_delay)
    "drop"                the connection closes before anything is handled
    "drop_after_store"    the request is handled, then the connection closes unanswered
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from datetime import date

from tests.fakes.http import serve, shut

from . import server
from .routes_comments import CommentRoutes
from .routes_oauth import OAuthRoutes
from .routes_rest import RestRoutes
from .server import Recorded, Reply
from .state import FakeMember, FakeOrganization, FakePost

__all__ = ["LinkedInFake", "FakeMember", "FakeOrganization", "FakePost", "Recorded", "FAULT_KINDS"]

FAULT_KINDS = {"rate_limit", "server_error", "status", "error_after_store", "timeout", "drop", "drop_after_store"}
# What LinkedIn grants an app with the self-serve products "Sign In with LinkedIn using OpenID Connect" and
# "Share on LinkedIn" (LinkedIn's "Share on LinkedIn" and OpenID docs: openid, profile, email, w_member_social).
# r_member_social is a restricted, partner-only permission (Community Management API): never granted by default.
DEFAULT_SCOPES = ("openid", "profile", "w_member_social")
# LinkedIn's Marketing API versioning ("Versioning" page on learn.microsoft.com/linkedin/marketing): a version
# YYYYMM is supported for at least a year after release, then sunset, after which a call naming it answers 426
# NONEXISTENT_VERSION. The fake keeps the versions of the twelve months before the one it runs in active (this
# month's may not be released yet), so 202505 answers 426 from 2026-06 on, as it does at LinkedIn.
SUPPORTED_MONTHS = 12


def active_versions(today=None) -> set[str]:
    today = today or date.today()
    months = [(today.year * 12 + today.month - 1) - back for back in range(1, SUPPORTED_MONTHS + 1)]
    return {f"{month // 12:04d}{month % 12 + 1:02d}" for month in months}


@dataclass
class _Fault:
    kind: str
    times: int
    path: str | None
    method: str | None
    options: dict


class LinkedInFake(CommentRoutes, OAuthRoutes, RestRoutes):
    def __init__(self, *, client_id="li-client", client_secret="li-secret"):
        self.client_id, self.client_secret = client_id, client_secret
        self.lock = threading.RLock()
        self.members, self.organizations, self.by_urn = {}, {}, {}
        self.access_tokens, self.refresh_tokens, self.codes = {}, {}, {}
        self.images, self.videos, self.upload_slots = {}, {}, {}
        self.comments = {}  # post urn -> [comment, ...] (routes_comments.py), oldest first
        self.requests, self._faults = [], []
        self.active_versions = active_versions()
        self.default_scopes, self.grant_refresh_tokens = list(DEFAULT_SCOPES), True
        self.login, self.deny_next = None, False
        self.video_processing_polls, self.fail_next_video, self.timeout_delay = 1, "", 3.0
        self.video_part_size = 4 * 1024 * 1024  # LinkedIn splits video uploads into 4 MiB parts
        self._ids = itertools.count(1)
        self._server, self.base_url = None, ""

    # --- lifecycle -----------------------------------------------------------------------------
    def start(self) -> str:
        self._server = serve(self, server.Handler, "linkedin-fake")
        return self.base_url

    def stop(self) -> None:
        shut(self._server)
        self._server = None

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self._faults.clear()
            self.deny_next, self.fail_next_video, self.video_processing_polls = False, "", 1
            self.video_part_size = 4 * 1024 * 1024

    # --- state API -----------------------------------------------------------------------------
    def add_member(self, name=None) -> FakeMember:
        with self.lock:
            number = next(self._ids)
            name = name or f"Member {number}"
            member = FakeMember(f"m{number:04d}Xq7", name, name.split()[0], name.split()[-1])
            self.members[member.id] = member
            return member

    def add_organization(self, name=None, *, admins=()) -> FakeOrganization:
        with self.lock:
            number = next(self._ids)
            org = FakeOrganization(str(2_414_000 + number), name or f"Company {number}", f"company-{number}", {m.id for m in admins})
            self.organizations[org.id] = org
            return org

    def expire(self, access_token: str) -> None:
        with self.lock:
            self.access_tokens[access_token]["expires_at"] = 0

    def revoke(self, access_token: str) -> None:
        with self.lock:
            self.access_tokens[access_token]["revoked"] = True
            for held in self.refresh_tokens.values():
                if held["member"] is self.access_tokens[access_token]["member"]:
                    held["revoked"] = True

    def fail_next(self, kind: str, times: int = 1, path: str | None = None, method: str | None = None, **options) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(FAULT_KINDS)}")
        with self.lock:
            self._faults.append(_Fault(kind, times, path, method.upper() if method else None, options))

    def add_post(self, author: str, commentary: str, *, media=(), body=None) -> FakePost:
        with self.lock:
            post = FakePost(f"urn:li:share:{7_400_000_000_000_000_000 + next(self._ids)}", author, commentary, list(media), body or {})
            self.by_urn[post.urn] = post
            return post

    @property
    def posts(self) -> list:
        with self.lock:
            return list(self.by_urn.values())

    def post(self, urn) -> FakePost | None:
        return self.by_urn.get(urn)

    def comments_on(self, urn) -> list:
        with self.lock:
            return list(self.comments.get(urn, []))

    def posts_by(self, author: str) -> list:
        return [p for p in self.posts if p.author == author and not p.deleted]

    def requests_to(self, path: str, method: str | None = None) -> list:
        with self.lock:
            return [r for r in self.requests if r.path == path and (method is None or r.method == method)]

    # --- request handling ------------------------------------------------------------------------
    def handle(self, handler) -> None:
        request = server.parse(handler)
        with self.lock:
            self.requests.append(request)
            fault = self._take_fault(request.method, request.path)
        if fault and fault.kind == "drop":
            handler.close_connection = True
            return
        if fault and fault.kind in ("rate_limit", "server_error", "status"):
            return server.send(handler, server.fault_reply(fault))
        try:
            with self.lock:
                reply = Reply(200, self.route(request))
        except Reply as answer:
            reply = answer
        if fault and fault.kind == "drop_after_store":
            handler.close_connection = True
            return
        if fault and fault.kind == "error_after_store":
            reply = server.fault_reply(_Fault("server_error", 1, None, None, fault.options))
        if fault and fault.kind == "timeout":
            server.stall(fault.options.get("delay", self.timeout_delay))
        server.send(handler, reply)

    def _take_fault(self, method, path):
        for fault in self._faults:
            if (fault.path is None or path.startswith(fault.path)) and fault.method in (None, method):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def route(self, request):
        path, method = request.path, request.method
        if path == "/oauth/v2/authorization" and method == "GET":
            return self.authorize(request)
        if path == "/oauth/v2/accessToken" and method == "POST":
            return self.access_token(request)
        if path == "/v2/userinfo" and method == "GET":
            return self.userinfo(request)
        if path.startswith("/dms-uploads/"):
            return self.upload(request, path.rsplit("/", 1)[1])
        if not path.startswith("/rest/"):
            raise Reply(404, None)
        self.check_rest_headers(request)
        held = self.authenticated(request)
        action = request.query.get("action")
        parts = path.split("/")[2:]
        table = {
            ("POST", "posts", None): lambda: self.create_post(request, held),
            ("GET", "posts", None): lambda: self.find_posts(request, held),
            ("POST", "images", "initializeUpload"): lambda: self.initialize_image(request, held),
            ("POST", "videos", "initializeUpload"): lambda: self.initialize_video(request, held),
            ("POST", "videos", "finalizeUpload"): lambda: self.finalize_video(request, held),
            ("GET", "organizationAcls", None): lambda: self.organization_acls(request, held),
            ("GET", "organizationalEntityShareStatistics", None): lambda: self.share_statistics(request, held),
        }
        if len(parts) == 1 and (method, parts[0], action) in table:
            return table[(method, parts[0], action)]()
        if len(parts) == 2 and parts[0] == "posts" and method in ("GET", "DELETE"):
            return self.get_or_delete_post(request, held, parts[1])
        if len(parts) == 2 and parts[0] == "videos" and method == "GET":
            return self.get_video(request, held, parts[1])
        if len(parts) == 3 and parts[0] == "socialActions" and parts[2] == "comments" and method in ("GET", "POST"):
            return self.route_comments(request, held, parts[1])
        if len(parts) == 2 and parts[0] == "socialActions" and method == "GET":
            return self.social_actions(request, held, parts[1])
        if len(parts) == 2 and parts[0] == "organizations" and method == "GET":
            return self.organization(request, held, parts[1])
        if len(parts) == 2 and parts[0] == "networkSizes" and method == "GET":
            return self.network_size(request, held, parts[1])
        raise Reply(404, {"status": 404, "message": f"No virtual resource found for {method} {path}"})
