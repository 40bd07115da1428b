"""A stateful fake of Reddit's OAuth and API endpoints the scheduler uses through praw, plus the
S3-style upload endpoint image posts go to (served over https, since praw builds `https:` + the
lease's `action`). Bodies: recorded.py. Endpoints: routes.py.

    fake = RedditFake(client_id="reddit-app", client_secret="reddit-secret"); fake.start(tls=ssl_context)
    user = fake.add_user("alice")
    refresh = fake.issue_refresh_token(user)           # as if the user had authorized us (permanent)
    fake.authorize_as = user                           # who approves GET /api/v1/authorize
    fake.add_subreddit("python", flairs={"f1": "News"}, flair_required=False, allow_self=True,
                       allow_links=True, allow_images=True, banned={"bob"}, restricted=False)
    fake.ratelimit_minutes = 5                          # the next submits answer RATELIMIT "... try again in 5 minutes."
    fake.revoke(refresh)                                # refresh answers invalid_grant
    fake.expire_access_tokens()                         # API calls answer 401 invalid_token
    fake.fail_next(...)                                 # faults: tests/fakes/fake_server.py
    fake.posts / fake.post(id) / fake.uploads
    fake.comments_on(submission_id)                     # FakeComment(id, author, link_id, body, ...), oldest first
    fake.post(id).locked = True / .archived = True      # POST /api/comment answers THREAD_LOCKED / TOO_OLD
"""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field

from tests.fakes.fake_server import FakeServer, Reply

from .routes import RedditRoutes
from .routes_comments import CommentRoutes


@dataclass
class FakeUser:
    id: str
    name: str


@dataclass
class FakeSubreddit:
    name: str
    flairs: dict = field(default_factory=dict)  # template id -> text
    flair_required: bool = False
    allow_self: bool = True
    allow_links: bool = True
    allow_images: bool = True
    banned: set = field(default_factory=set)
    restricted: bool = False


@dataclass
class FakeSubmission:
    id: str
    author: str
    subreddit: str
    title: str
    kind: str
    selftext: str = ""
    url: str = ""
    flair_id: str = ""
    flair_text: str = ""
    created_utc: float = field(default_factory=time.time)
    score: int = 1
    upvote_ratio: float = 1.0
    num_comments: int = 0
    deleted: bool = False
    locked: bool = False  # a moderator locked it: comments answer THREAD_LOCKED
    archived: bool = False  # older than six months: comments answer TOO_OLD


@dataclass
class FakeComment:
    id: str
    author: str
    link_id: str  # the submission's id (without t3_)
    subreddit: str
    body: str
    created_utc: float = field(default_factory=time.time)


class S3Upload(FakeServer):
    """The upload endpoint of an S3 POST policy: stores the file under `key`, answers 201 with XML."""

    name = "reddit-s3"

    def __init__(self, owner):
        super().__init__()
        self.owner = owner

    def route(self, request):
        key = request.form.get("key", "")
        lease = self.owner.leases.get(key)
        if lease is None or "file" not in request.files:
            return Reply(403, raw=b"<Error><Code>AccessDenied</Code><Message>Invalid according to Policy</Message></Error>", content_type="application/xml")
        filename, content_type, data = request.files["file"]
        self.owner.uploads[key] = {"filename": filename, "content_type": request.form.get("content-type"), "size": len(data), "data": data}
        body = (f"<PostResponse><Location>{self.base_url}/{key}</Location><Bucket>reddit-uploaded-media</Bucket>"
                f"<Key>{key}</Key><ETag>\"{secrets.token_hex(16)}\"</ETag></PostResponse>").encode()
        return Reply(201, raw=body, content_type="application/xml")


class RedditFake(CommentRoutes, RedditRoutes, FakeServer):
    name = "reddit"

    def __init__(self, *, client_id="reddit-app", client_secret="reddit-secret"):
        FakeServer.__init__(self)
        self.client_id, self.client_secret = client_id, client_secret
        self.users: dict[str, FakeUser] = {}
        self.subreddits: dict[str, FakeSubreddit] = {}
        self.refresh_tokens: dict[str, dict] = {}  # token -> {"user": name, "scope": str, "revoked": bool}
        self.access_tokens: dict[str, str] = {}  # token -> user name
        self.access_scopes: dict[str, str] = {}  # token -> the scopes its grant holds ("identity submit ...")
        self.comments: dict[str, FakeComment] = {}
        self.codes: dict[str, tuple[str, str]] = {}
        self.submissions: dict[str, FakeSubmission] = {}
        self.leases: dict[str, dict] = {}
        self.uploads: dict[str, dict] = {}
        self.authorize_as: FakeUser | None = None
        self.ratelimit_minutes = 0
        self.s3 = S3Upload(self)
        self._ids = itertools.count(1)

    def start(self, *, tls=None) -> str:
        """The API on http; the S3 upload endpoint on https with `tls` (an ssl.SSLContext)."""
        self.s3.start(ssl_context=tls)
        return super().start()

    def stop(self) -> None:
        self.s3.stop()
        super().stop()

    def fault_body(self, status):
        return {"message": "Internal Server Error", "error": status}

    # --- state API -------------------------------------------------------------------------
    def new_id(self) -> str:
        number, digits, alphabet = 1_000_000 + next(self._ids) * 7919, "", "0123456789abcdefghijklmnopqrstuvwxyz"
        while number:
            number, rest = divmod(number, 36)
            digits = alphabet[rest] + digits
        return digits

    def add_user(self, name: str) -> FakeUser:
        with self.lock:
            user = FakeUser(self.new_id(), name)
            self.users[name] = user
            return user

    def add_subreddit(self, name: str, **rules) -> FakeSubreddit:
        with self.lock:
            sub = FakeSubreddit(name, **rules)
            self.subreddits[name.lower()] = sub
            return sub

    def issue_refresh_token(self, user: FakeUser, scope="identity submit read history edit flair") -> str:
        token = f"{user.id}-{secrets.token_urlsafe(20)}"
        with self.lock:
            self.refresh_tokens[token] = {"user": user.name, "scope": scope, "revoked": False}
        return token

    def revoke(self, refresh_token: str) -> None:
        with self.lock:
            self.refresh_tokens[refresh_token]["revoked"] = True

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.access_tokens.clear()

    @property
    def posts(self) -> list[FakeSubmission]:
        with self.lock:
            return [s for s in self.submissions.values() if not s.deleted]

    def post(self, submission_id) -> FakeSubmission | None:
        return self.submissions.get(str(submission_id))

    def comments_on(self, submission_id) -> list[FakeComment]:
        with self.lock:
            return sorted((c for c in self.comments.values() if c.link_id == str(submission_id)), key=lambda c: c.created_utc)
