"""First comments on Mastodon: a reply status (POST /api/v1/statuses with `in_reply_to_id`,
docs.joinmastodon.org/methods/statuses/#create), with the comment's own Idempotency-Key, so a retry
after a lost answer returns the same status instead of posting twice. The reply takes the post's
visibility; it counts against the same per-instance limits as a post."""

from __future__ import annotations

from ..base import PublishResult
from .validation import VISIBILITIES, validate_post


class MastodonComments:
    supports_comments = True
    idempotent_comment = True  # Mastodon keeps Idempotency-Keys for an hour; the engine's retries fall inside it

    def validate_comment(self, content: str) -> list[str]:
        errors = validate_post(content, [], self.account.platform_settings or {})
        return [e.replace("post", "first comment", 1) if e.startswith("A Mastodon post") else e for e in errors]

    def comment(self, target, content: str, *, key: str) -> PublishResult:
        self.check_comment(content)
        visibility = (target.platform_specific_settings or {}).get("visibility") or "public"
        status = self.conn.call(
            self.conn.api.status_post,
            content,
            in_reply_to_id=target.platform_post_id,
            visibility=visibility if visibility in VISIBILITIES else "public",
            idempotency_key=key,
            what="comment",
            unsafe=True,
            typed=False,
        )
        return self._result(status)
