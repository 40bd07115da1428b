"""First comments on Bluesky: a reply post, an app.bsky.feed.post record whose `reply` holds strong
references ({uri, cid}) to the thread's root and parent (lexicon app.bsky.feed.post, `replyRef`);
here both are the published post, whose cid is read with com.atproto.repo.getRecord.

The record key is a TID derived from the comment's key and the post's publish time, so every attempt
writes to the same key: the PDS refuses a second create, and after any error we read that key to learn
whether the comment landed (as publish does)."""

from __future__ import annotations

import calendar
import hashlib
from datetime import datetime, timezone

from atproto_client import models

from social_media.platforms.base import InvalidContent, PublishResult, Reconciliation

from . import rules
from .errors import CALL, LIBRARY_ERRORS, is_record_not_found, translate
from .richtext import build_facets
from .session import POST_COLLECTION, open_client, tid


def comment_record_key(key: str, anchor: datetime) -> str:
    """A TID for the comment `key`: `anchor` (the post's publish time) to the millisecond, so keys sort
    like real TIDs; sub-millisecond bits and the clock id from a hash of the key."""
    digest = int.from_bytes(hashlib.sha256(f"bluesky-comment-rkey:{key}".encode()).digest()[:8], "big")
    millis = calendar.timegm(anchor.utctimetuple()) * 1000 + anchor.microsecond // 1000
    return tid(((millis * 1000 + digest % 1000) << 10) | ((digest >> 10) & 0x3FF))


class BlueskyComments:
    supports_comments = True
    idempotent_comment = True

    def validate_comment(self, content: str) -> list[str]:
        errors = [e.replace("this post", "this comment") for e in rules.text_errors(content or "")]
        if not (content or "").strip():
            errors.append("A first comment needs text.")
        return errors

    def _comment_rkey(self, target, key: str) -> str:
        return comment_record_key(key, target.posted_at or target.post.created_at)

    def comment(self, target, content: str, *, key: str) -> PublishResult:
        self.check_comment(content)
        parent_rkey = self._own_rkey(target.platform_post_id)
        rkey = self._comment_rkey(target, key)
        did, now = self.account.platform_user_id, datetime.now(timezone.utc)
        with self._client() as client:
            try:
                parent = client.com.atproto.repo.get_record({"repo": did, "collection": POST_COLLECTION, "rkey": parent_rkey})
                facets = build_facets(content, lambda handle: self._resolve(client, handle))
            except LIBRARY_ERRORS as exc:
                if is_record_not_found(exc):
                    raise InvalidContent("The post is no longer on Bluesky (it was deleted), so its first comment was not posted.") from exc
                raise translate(exc, action=CALL) from exc
            ref = models.ComAtprotoRepoStrongRef.Main(uri=parent.uri, cid=parent.cid)
            record = models.AppBskyFeedPost.Record(
                text=content,
                created_at=now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                facets=facets or None,
                reply=models.AppBskyFeedPost.ReplyRef(root=ref, parent=ref),
            )
            return self._put_record(client, record, rkey, now)  # a retried comment that landed is read back

    def find_comment(self, target, content: str, *, key: str, since) -> Reconciliation:
        with open_client(self._base_url) as client:  # getRecord needs no session
            try:
                found = self._read_post(client, self._comment_rkey(target, key))
            except LIBRARY_ERRORS:
                return Reconciliation()
        return Reconciliation(found=found) if found is not None else Reconciliation(not_found=True)
