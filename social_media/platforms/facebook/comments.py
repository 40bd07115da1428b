"""First comments on a Facebook Page post: POST /{page-post-id}/comments with `message`, as the Page
(Page token; Graph API reference "/{object-id}/comments", Creating: needs pages_manage_engagement),
answered {"id": "<comment id>"}. Graph has no idempotency key, so after a lost answer the post's
comments are listed (GET /{page-post-id}/comments, filter=stream, newest first) and ours is looked for:
our Page as author and our text."""

from __future__ import annotations

from datetime import timedelta

from social_media.platforms.base import OutcomeUnknown, PlatformError, PublishResult, Reconciliation, comment_text_errors

MAX_COMMENT_CHARACTERS = 8_000  # Facebook's comment box limit
RECENT_COMMENTS = 100
SLACK = timedelta(minutes=2)


class FacebookComments:
    supports_comments = True
    idempotent_comment = False

    def validate_comment(self, content: str) -> list[str]:
        return comment_text_errors(content, limit=MAX_COMMENT_CHARACTERS, network="Facebook")

    def comment(self, target, content: str, *, key: str) -> PublishResult:
        self.check_comment(content)
        graph = self.graph()
        answer = graph.post(f"/{target.platform_post_id}/comments", data={"message": content}, creates_post=True, what="comment")
        comment_id = str(answer.get("id") or "")
        if not comment_id:
            raise OutcomeUnknown("Facebook accepted the comment without saying its id; checking before any retry.")
        return PublishResult(platform_post_id=comment_id, url=self._comment_link(graph, target, comment_id))

    def _comment_link(self, graph, target, comment_id: str) -> str:
        try:
            url = graph.get(f"/{comment_id}", fields="permalink_url").get("permalink_url", "")
        except PlatformError:
            url = ""
        return url if url.startswith("http") else (target.platform_post_url or f"https://www.facebook.com/{target.platform_post_id}")

    def find_comment(self, target, content: str, *, key: str, since) -> Reconciliation:
        text = (content or "").strip()
        graph = self.graph()
        items = graph.get(f"/{target.platform_post_id}/comments", fields="id,message,from,created_time,permalink_url",
                          filter="stream", order="reverse_chronological", limit=RECENT_COMMENTS).get("data") or []
        for item in items:
            author = str((item.get("from") or {}).get("id") or "")
            if (item.get("message") or "").strip() == text and author == self.page_id:
                url = item.get("permalink_url") or target.platform_post_url
                return Reconciliation(found=PublishResult(platform_post_id=str(item["id"]), url=url))
        return Reconciliation(not_found=True)
