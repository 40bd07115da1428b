"""First comments on Instagram: POST /{ig-media-id}/comments with `message` (Instagram Graph API
reference, IG Media > Comments: "Creates an IG Comment on an IG Media object"; needs
instagram_manage_comments), answered {"id": "<ig comment id>"}. No idempotency key: after a lost answer
GET /{ig-media-id}/comments (fields id, text, username, timestamp) is searched for our text by our
account. Rules as for captions: at most 2,200 characters and 30 hashtags; comments on live video are
not supported (we never publish live video)."""

from __future__ import annotations

from social_media.platforms.base import OutcomeUnknown, PublishResult, Reconciliation, comment_text_errors

from .rules import HASHTAG, MAX_CAPTION, MAX_HASHTAGS

RECENT_COMMENTS = 50


class InstagramComments:
    supports_comments = True
    idempotent_comment = False

    def validate_comment(self, content: str) -> list[str]:
        content = content or ""
        errors = comment_text_errors(content, limit=MAX_CAPTION, network="Instagram")
        hashtags = len(HASHTAG.findall(content))
        if hashtags > MAX_HASHTAGS:  # so not empty: after the length error, as before
            errors.append(f"Instagram allows {MAX_HASHTAGS} hashtags in a comment; this one has {hashtags}.")
        return errors

    def comment(self, target, content: str, *, key: str) -> PublishResult:
        self.check_comment(content)
        answer = self.graph().post(f"/{target.platform_post_id}/comments", data={"message": content}, creates_post=True, what="comment")
        comment_id = str(answer.get("id") or "")
        if not comment_id:
            raise OutcomeUnknown("Instagram accepted the comment without saying its id; checking before any retry.")
        # An IG Comment has no permalink: link to the post, where the comment shows first.
        return PublishResult(platform_post_id=comment_id, url=target.platform_post_url)

    def find_comment(self, target, content: str, *, key: str, since) -> Reconciliation:
        text = (content or "").strip()
        items = self.graph().get(f"/{target.platform_post_id}/comments", fields="id,text,username,timestamp",
                                 limit=RECENT_COMMENTS).get("data") or []
        for item in items:
            if (item.get("text") or "").strip() == text and item.get("username") == self.account.platform_username:
                return Reconciliation(found=PublishResult(platform_post_id=str(item["id"]), url=target.platform_post_url))
        return Reconciliation(not_found=True)
