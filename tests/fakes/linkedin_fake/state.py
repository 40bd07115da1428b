"""The fake's records: members, organization pages, posts."""

from __future__ import annotations

from dataclasses import dataclass, field

from .little import shown_text
from .routes_rest import now_ms


@dataclass
class FakeMember:
    id: str
    name: str
    given_name: str
    family_name: str

    @property
    def urn(self) -> str:
        return f"urn:li:person:{self.id}"


@dataclass
class FakeOrganization:
    id: str
    name: str
    vanity_name: str
    admins: set = field(default_factory=set)

    @property
    def urn(self) -> str:
        return f"urn:li:organization:{self.id}"


@dataclass
class FakePost:
    urn: str
    author: str
    commentary: str  # little format, as received
    media: list
    body: dict
    created_at: int = field(default_factory=now_ms)
    modified_at: int = field(default_factory=now_ms)
    deleted: bool = False
    likes: int = 0
    comments: int = 0
    impressions: int = 0
    clicks: int = 0
    shares: int = 0

    @property
    def text(self) -> str:
        """What LinkedIn shows."""
        return shown_text(self.commentary)

    def as_json(self) -> dict:
        return {**self.body, "id": self.urn, "createdAt": self.created_at, "publishedAt": self.created_at,
                "lastModifiedAt": self.modified_at, "lifecycleState": "PUBLISHED"}
