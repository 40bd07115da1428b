"""A stateful fake of graph.threads.net (OAuth token endpoints and the v1.0 publishing, insights and
delete endpoints) on 127.0.0.1. Bodies and error codes: recorded.py. Endpoints: routes.py.

    fake = ThreadsFake(app_id="threads-app", app_secret="threads-secret"); fake.start()
    user = fake.add_user("alice")
    token = fake.issue_token(user)          # a long-lived token, no dance (scopes=SCOPES: every permission we ask for)
    code = fake.grant_code(user, redirect_uri)   # what threads.net/oauth/authorize would redirect with
    GET /{media-id}/replies and /conversation need threads_read_replies (Threads "Retrieve and Manage Replies"
    docs: threads_read_replies is required for GET calls to reply endpoints); without it: Graph code 10.
    fake.expire(token); fake.revoke(token)  # 190/463 expired; 190/458 app no longer authorized
    fake.in_progress_polls = 1              # status reads a container answers IN_PROGRESS before FINISHED
    fake.quota_total = 250                  # threads_publishing_limit; publishing past it answers code 9
    fake.reply_quota_total = 1000           # replies (reply_to_id) count here, never against quota_total
    GET /{user}/threads lists top-level posts only; the user's replies are GET /{user}/replies (Threads
    "Retrieve User Posts": "To retrieve posts that are replies, refer to Retrieve User Replies").
    fake.fail_next(...)                     # faults: tests/fakes/fake_server.py
    fake.posts / fake.containers / fake.text_of(media_id) / fake.set_insights(media_id, likes=3, ...)

Like Meta's servers, creating an IMAGE/VIDEO container downloads its image_url/video_url; a URL that
fails (404, expired signature, unreachable) leaves the container in ERROR with Meta's error_message.
"""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field

from tests.fakes.fake_server import FakeServer

from . import recorded
from .routes import ThreadsRoutes

# The permissions a token carries when a test does not say (the ones the scheduler asks for at connect).
SCOPES = ("threads_basic", "threads_content_publish", "threads_manage_insights", "threads_delete", "threads_read_replies")


@dataclass
class FakeUser:
    id: str
    username: str
    name: str


@dataclass
class FakeContainer:
    id: str
    user_id: str
    media_type: str
    text: str = ""
    media_url: str = ""
    children: list = field(default_factory=list)
    is_carousel_item: bool = False
    status: str = "IN_PROGRESS"
    error_message: str = ""
    polls_left: int = 1
    media_id: str = ""
    reply_to_id: str = ""  # a reply (Threads "Reply management": POST /{user-id}/threads with reply_to_id)


@dataclass
class FakePost:
    id: str
    user_id: str
    container_id: str
    media_type: str
    text: str
    timestamp: float
    children: list = field(default_factory=list)
    deleted: bool = False
    reply_to_id: str = ""
    insights: dict = field(default_factory=lambda: {"views": 0, "likes": 0, "replies": 0, "reposts": 0, "quotes": 0})


class ThreadsFake(ThreadsRoutes, FakeServer):
    name = "threads"

    def __init__(self, *, app_id="threads-app", app_secret="threads-secret"):
        FakeServer.__init__(self)
        self.app_id, self.app_secret = app_id, app_secret
        self.users: dict[str, FakeUser] = {}
        self.tokens: dict[str, dict] = {}  # token -> {"user_id", "expires_at", "revoked", "issued_at", "scopes"}
        self.codes: dict[str, tuple[str, str, set]] = {}  # code -> (user_id, redirect_uri, scopes)
        self.containers: dict[str, FakeContainer] = {}
        self.media: dict[str, FakePost] = {}
        self.in_progress_polls = 1
        self.authorize_as: FakeUser | None = None  # who approves GET /oauth/authorize
        self.quota_total = 250
        self.reply_quota_total = 1000  # "Retrieve and Manage Replies": 1,000 API-published replies in 24 hours
        self.min_refresh_age = 0  # Threads refuses to refresh tokens younger than 24 h; tests may set 86400
        self._ids = itertools.count(1)

    def fault_body(self, status):
        return recorded.UNEXPECTED

    # --- state API -------------------------------------------------------------------------
    def new_id(self) -> str:
        return str(17_840_000_000_000_000 + next(self._ids))

    def add_user(self, username: str, name: str = "") -> FakeUser:
        with self.lock:
            user = FakeUser(str(25_000_000_000 + next(self._ids)), username, name or username.title())
            self.users[user.id] = user
            return user

    def issue_token(self, user: FakeUser, *, expires_in: int = 5183944, prefix="THAA", scopes=SCOPES) -> str:
        token = f"{prefix}{secrets.token_urlsafe(24)}"
        with self.lock:
            self.tokens[token] = {"user_id": user.id, "expires_at": time.time() + expires_in, "revoked": False, "issued_at": time.time(),
                                  "scopes": set(scopes)}
        return token

    def grant_code(self, user: FakeUser, redirect_uri: str, scopes=SCOPES) -> str:
        code = secrets.token_urlsafe(16)
        with self.lock:
            self.codes[code] = (user.id, redirect_uri, set(scopes))
        return code

    def expire(self, token: str) -> None:
        with self.lock:
            self.tokens[token]["expires_at"] = time.time() - 1

    def revoke(self, token: str) -> None:
        with self.lock:
            self.tokens[token]["revoked"] = True

    @property
    def posts(self) -> list[FakePost]:
        with self.lock:
            return [post for post in self.media.values() if not post.deleted]

    def posts_of(self, user: FakeUser) -> list[FakePost]:
        return [post for post in self.posts if post.user_id == user.id]

    def text_of(self, media_id) -> str | None:
        post = self.media.get(str(media_id))
        return None if post is None or post.deleted else post.text

    def set_insights(self, media_id, **values) -> None:
        with self.lock:
            self.media[str(media_id)].insights.update(values)
