"""First comments on X: a reply by the account to the post, sent like a thread's part (XAdapter._create:
POST /2/tweets with `reply.in_reply_to_tweet_id`, through tweepy), checked like a post: twitter-text v3's
weighted length against the account's limit (280, more on paid tiers), no attachments.

X has no idempotency key. After a lost answer the account's timeline since the post was claimed is
searched for a reply in the post's conversation with our text (timeline.find_post, as reconcile_part
does; `conversation_id` is the conversation's first post, X's data dictionary); a failed or incomplete
look is unknown, so the delivery becomes unconfirmed rather than posted twice. The delivery's own claim
time (`since`) is not used: it is this attempt's, later than the lost one.

Refusals as publishing maps them (errors.py): 429 -> RateLimited until x-rate-limit-reset; 403 duplicate
content -> InvalidContent. A reply to a deleted post is a 403 too ("You attempted to reply to a Tweet that
is deleted or not visible to you."): after any 403 the post is looked up, and when X says it no longer
exists the comment fails as a deleted post (404), without reading X's sentence."""

from __future__ import annotations

from ..base import InvalidContent, PlatformError, PublishResult, Reconciliation
from . import text, timeline

GONE = "X could not find the post this comment replies to: it was deleted."


class XComments:
    supports_comments = True
    idempotent_comment = False

    def validate_comment(self, content: str) -> list[str]:
        content = content or ""
        if not content.strip():
            return ["A first comment needs text."]
        errors = text.validate(content, [], text.limits_for(self.account))
        return [e.replace("The text counts", "The first comment counts", 1) for e in errors]

    def comment(self, target, content: str, *, key: str) -> PublishResult:
        self.check_comment(content)
        try:
            return self._create(content, [], in_reply_to=target.platform_post_id, what="comment")
        except InvalidContent as exc:
            if exc.http_status == 403 and timeline.post_gone(self._api(), target.platform_post_id):
                raise PlatformError(GONE, http_status=404) from exc
            raise

    def find_comment(self, target, content: str, *, key: str, since) -> Reconciliation:
        return timeline.find_post(self._api(), self.account, target, text=content, in_conversation=target.platform_post_id)
