"""State types and reply helpers shared by the X fake's modules (tests/fakes/x_fake.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

PROBLEM = "https://api.x.com/2/problems/"


@dataclass
class FakeUser:
    id: str
    username: str
    name: str
    subscription_type: str = "None"
    max_weighted_length: int = 280
    # User object public_metrics (docs.x.com/x-api/fundamentals/data-dictionary#user: followers_count,
    # following_count, tweet_count, listed_count, like_count), answered when user.fields asks for it.
    public_metrics: dict = field(default_factory=lambda: dict.fromkeys(
        ["followers_count", "following_count", "tweet_count", "listed_count", "like_count"], 0))


@dataclass
class FakePost:
    id: str
    author_id: str
    text: str  # exactly what the client sent
    rendered: str  # what X shows: links as t.co, &<> escaped, a t.co link for attached media
    media_ids: list
    created_at: datetime
    public_metrics: dict = field(default_factory=lambda: dict.fromkeys(
        ["repost_count", "reply_count", "like_count", "quote_count", "bookmark_count", "impression_count"], 0))
    deleted: bool = False
    in_reply_to: str | None = None  # the post this one replies to (POST /2/tweets `reply.in_reply_to_tweet_id`)


@dataclass
class FakeMedia:
    id: str
    owner_id: str
    category: str
    media_type: str
    total_bytes: int
    state: str  # uploading | pending | in_progress | succeeded | failed
    segments: dict = field(default_factory=dict)  # segment_index -> size
    alt_text: str = ""
    failure: str = ""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Reply(Exception):
    def __init__(self, status, body=None, headers=None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def invalid(message, **parameters):
    return Reply(400, {"errors": [{"parameters": parameters, "message": message}], "title": "Invalid Request",
                       "detail": "One or more parameters to your request was invalid.", "type": PROBLEM + "invalid-request"})


def forbidden(detail):
    return Reply(403, {"title": "Forbidden", "type": "about:blank", "status": 403, "detail": detail})


def oauth_error(status, error, description):
    return Reply(status, {"error": error, "error_description": description})
