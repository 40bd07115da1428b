"""First comments on Threads (Meta): a reply by the account to the post, published like a thread's part
(ThreadsAdapter._publish_container): a TEXT container with `reply_to_id` = the post, then threads_publish
(developers.facebook.com/docs/threads/retrieve-and-manage-replies/create-replies: the owner of the root
post may reply to it). Checked like a post: 500 characters (emoji count their UTF-8 bytes), 5 links.

Exactly once without an idempotency key, as parts are: the container id is written to the target
(`platform_specific_settings["threads_container_id_comment"]`) before threads_publish, so a retry publishes
that same container. find_comment reads its status: not PUBLISHED means nothing went live (safe to send);
PUBLISHED means the reply is there, and it is looked for among the post's top-level replies
(GET /{media-id}/replies, ours by `is_reply_owned_by_me`, with our text), then the account's own replies
(GET /{user-id}/replies); thread parts are found the same way (_find_reply). That read needs the
`threads_read_replies` permission (asked at connect since first comments; older grants lack it): when it
is refused or the reply is not listed, the answer is unknown and the delivery becomes unconfirmed.

Replies have their own quota (1,000 a day; reading it needs `threads_manage_replies`), so the posts quota
is not checked first; a refusal for a limit is a rate limit as publishing maps it (errors.py). A reply to a
deleted post is refused as an invalid parameter: the post is then looked up, and when Threads says it does
not exist the comment fails as a deleted post (404)."""

from __future__ import annotations

from ..base import InvalidContent, PlatformError, PublishResult, Reconciliation

COMMENT = "comment"  # the container's slot on the target: threads_container_id_comment
REPLY_FIELDS = "id,text,timestamp,permalink,is_reply_owned_by_me"
MAX_REPLY_PAGES = 4
GONE = "Threads could not find the post this comment replies to: it was deleted."


class ThreadsComments:
    supports_comments = True
    idempotent_comment = False

    def validate_comment(self, content: str) -> list[str]:
        if not (content or "").strip():
            return ["A first comment needs text."]
        return [problem.replace("this text counts", "this comment counts", 1).replace("in a post", "in a comment", 1)
                for problem in self.validate(content, [])]

    def comment(self, target, content: str, *, key: str) -> PublishResult:
        self.check_comment(content)
        try:
            return self._publish_container(target, content, [], position=COMMENT, reply_to_id=target.platform_post_id,
                                           find=lambda: self._find_reply(target.platform_post_id, content))
        except InvalidContent as exc:
            if exc.http_status == 400 and self._post_gone(target.platform_post_id):
                raise PlatformError(GONE, http_status=404) from exc
            raise

    def find_comment(self, target, content: str, *, key: str, since) -> Reconciliation:
        """not_found: no container, or one never published; found: the container is PUBLISHED and our reply
        is listed under the post; otherwise unknown (a failed read included)."""
        try:
            return self._reconcile_container(target, COMMENT, content, find=lambda: self._find_reply(target.platform_post_id, content))
        except PlatformError:
            return Reconciliation()

    def _find_reply(self, media_id: str, content: str) -> Reconciliation:
        """Our reply with this text to `media_id` (a first comment's post, or a thread part's previous part),
        where Threads lists replies (never GET /{user-id}/threads): the post's top-level replies
        (GET /{media-id}/replies, ours by `is_reply_owned_by_me`), then the account's own replies, newest
        first (GET /{user-id}/replies, "Retrieve User Replies"; to this post by `replied_to`), which finds it
        under a post with more replies than we page through. Both need threads_read_replies: a refused or
        failed read, like a reply listed in neither, is unknown (never not found)."""
        wanted = (content or "").strip()
        sources = (
            (f"{media_id}/replies", {"fields": REPLY_FIELDS, "reverse": "true"}, lambda reply: reply.get("is_reply_owned_by_me")),
            (f"{self.user_id}/replies", {"fields": f"{REPLY_FIELDS},replied_to"},
             lambda reply: str((reply.get("replied_to") or {}).get("id") or "") == str(media_id)),
        )
        try:
            for path, params, ours in sources:
                for _page in range(MAX_REPLY_PAGES):
                    answer = self.client.get(path, params, what="replies")
                    for reply in answer.get("data") or []:
                        if ours(reply) and (reply.get("text") or "").strip() == wanted:
                            return Reconciliation(found=self._result(str(reply["id"]), reply))
                    after = ((answer.get("paging") or {}).get("cursors") or {}).get("after")
                    if not (answer.get("paging") or {}).get("next") or not after:
                        break
                    params = {**params, "after": after}
        except PlatformError:
            pass
        return Reconciliation()  # the container is PUBLISHED: the reply exists, but we cannot say which it is

    def _post_gone(self, media_id: str) -> bool:
        try:
            self.client.get(media_id, {"fields": "id"}, what="post")
        except PlatformError as exc:
            return exc.http_status == 404
        return False
