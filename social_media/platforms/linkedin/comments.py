"""First comments on LinkedIn: the Comments API of the Community Management API,
`POST /rest/socialActions/{post urn}/comments` with {"actor", "object", "message": {"text"}}
(learn.microsoft.com/linkedin/marketing/community-management/shares/comments-api, "Create a Comment"),
answered 201 with the comment id in `x-restli-id` and the comment (its `commentUrn`,
urn:li:comment:(<thread>,<id>)) in the body. The actor is the account's author: the member
(w_member_social) or the organization page (w_organization_social), the same permissions publishing
needs, so the connect flow's scopes already cover commenting.

A comment's `message` is plain text with attributes (mentions), not the "little" format of a post's
commentary, so it is sent as written. LinkedIn documents no limit for it; its comment box takes 1,250
characters (LinkedIn's help and every third-party guide agree), counted here in UTF-16 units as the
post limit is, which never lets through more than LinkedIn counts.

No idempotency key: after a lost answer `GET /rest/socialActions/{urn}/comments` is searched for our
actor and text. Reading comments needs r_member_social (partner-only) for a member's post or
r_organization_social for a page's: without it LinkedIn answers 403, the outcome stays unknown and the
delivery becomes unconfirmed rather than being sent twice."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone as dt_timezone

from social_media.platforms.base import OutcomeUnknown, PlatformError, PublishResult, Reconciliation, TransientError, comment_text_errors

from .client import encode
from .errors import comment_forbidden
from .posts import post_url
from .text import utf16_length

MAX_COMMENT_CHARACTERS = 1250
PAGE_SIZE = 100
MAX_PAGES = 5
# LinkedIn answers 404 for a post it created a moment ago (reported by people commenting right after
# publishing: "Unable to obtain activity", seconds, longer with an image). Within this window a 404 is
# retried; after it, a 404 means the post is gone.
NEW_POST_WINDOW = timedelta(minutes=3)


def write_scope(author: str) -> str:
    return "w_organization_social" if author.startswith("urn:li:organization:") else "w_member_social"


class LinkedInComments:
    supports_comments = True
    idempotent_comment = False

    def validate_comment(self, content: str) -> list[str]:
        content = content or ""
        errors = comment_text_errors(content, limit=MAX_COMMENT_CHARACTERS, network="LinkedIn", length=utf16_length(content))
        scopes = (self.account.platform_settings or {}).get("scopes")
        needed = write_scope(self.author)
        if scopes and needed not in scopes:
            errors.append(f"This LinkedIn account was connected without the {needed} permission that commenting needs; reconnect it.")
        return errors

    def comment(self, target, content: str, *, key: str) -> PublishResult:
        self.check_comment(content)
        urn = target.platform_post_id
        body = {"actor": self.author, "object": urn, "message": {"text": content}}
        try:
            response = self._client().call("POST", f"/rest/socialActions/{encode(urn)}/comments", json=body,
                                           what="comment", may_have_landed=True)
        except PlatformError as exc:
            raise self._comment_error(exc, target) from None
        try:
            answer = response.json() if response.content else {}
        except ValueError:
            answer = {}
        answer = answer if isinstance(answer, dict) else {}
        comment_id = str(response.headers.get("x-restli-id") or answer.get("id") or "")
        comment_urn = str(answer.get("commentUrn") or "") or (f"urn:li:comment:({urn},{comment_id})" if comment_id else "")
        if not comment_urn:
            raise OutcomeUnknown("LinkedIn accepted the comment without saying its id; checking before any retry.")
        return PublishResult(platform_post_id=comment_urn, url=target.platform_post_url or post_url(urn),
                             published_at=_created(answer) or datetime.now(dt_timezone.utc))

    def _comment_error(self, exc: PlatformError, target) -> PlatformError:
        if exc.http_status == 403:
            return comment_forbidden(exc, needed=write_scope(self.author),
                                     granted=(self.account.platform_settings or {}).get("scopes"))
        posted_at = target.posted_at
        if exc.http_status == 404 and posted_at and datetime.now(dt_timezone.utc) - posted_at < NEW_POST_WINDOW:
            return TransientError("LinkedIn does not show the new post yet (it answers 404 for a short while after "
                                  "publishing); will retry.", http_status=404)
        return exc

    def find_comment(self, target, content: str, *, key: str, since) -> Reconciliation:
        """found: a comment on the post by our actor with our text; not_found: LinkedIn listed every
        comment on the post and none was ours; otherwise unknown (a refused read, too many comments)."""
        text, urn, start = " ".join((content or "").split()), target.platform_post_id, 0
        try:
            for _page in range(MAX_PAGES):
                answer = self._client().json("GET", f"/rest/socialActions/{encode(urn)}/comments",
                                             query=f"start={start}&count={PAGE_SIZE}", what="post's comments")
                elements = answer.get("elements") or []
                for item in elements:
                    said = " ".join(str((item.get("message") or {}).get("text") or "").split())
                    if item.get("actor") == self.author and said == text:
                        found = str(item.get("commentUrn") or "") or f"urn:li:comment:({urn},{item.get('id')})"
                        return Reconciliation(found=PublishResult(platform_post_id=found, url=target.platform_post_url or post_url(urn),
                                                                  published_at=_created(item)))
                if len(elements) < PAGE_SIZE:
                    return Reconciliation(not_found=True)
                start += PAGE_SIZE
        except PlatformError:
            return Reconciliation()
        return Reconciliation()


def _created(comment: dict) -> datetime | None:
    millis = (comment.get("created") or {}).get("time")
    return datetime.fromtimestamp(int(millis) / 1000, tz=dt_timezone.utc) if isinstance(millis, int) else None
