"""First comments on Reddit: a top-level comment on the submission through praw's
`Submission.reply(text)`, which is `POST /api/comment` with `thing_id=t3_<id>` and Markdown `text`
(scope `submit`, which the connect flow asks for), answered {"json": {"errors": [], "data": {"things":
[{"kind": "t1", ...}]}}} (praw's cassette TestComment.test_reply). Reddit's rules, from its source
(reddit-archive/reddit, r2 `POST_comment` and `VSubmitParent`): at most 10,000 characters (TOO_LONG);
an archived submission answers TOO_OLD and a locked one THREAD_LOCKED (both permanent, said as a
sentence); a parent that does not exist, a subreddit the account may not comment in, and a grant without
`submit` all answer a plain 403 "forbidden", which here fails this comment without disconnecting the
account (the connect flow refuses a grant without `submit`, so the first two are the likely causes; an
`insufficient_scope` 403 would still mean a reconnect, as translate says).

prawcore's retries are off for the call (client.no_retries), so a failure after sending is
OutcomeUnknown; Reddit has no idempotency key, so the account's newest comments are then searched for
one on this submission with our text. praw returns no comment when Reddit leaves it out of the answer
(quarantined subreddits): it was created, and is looked for the same way."""

from __future__ import annotations

from datetime import datetime, timezone as dt_timezone

import prawcore
from django.conf import settings

from ..base import OutcomeUnknown, PlatformError, PublishResult, Reconciliation, comment_text_errors

MAX_COMMENT_CHARACTERS = 10_000
RECENT_COMMENTS = 25
CLOCK_SKEW_SECONDS = 120
FORBIDDEN = ("Reddit refused the comment (403): the post may no longer exist, or this account may not comment in its "
             "subreddit (banned or private), or its authorization lacks the submit permission (then reconnect it).")


def _same(a: str, b: str) -> bool:
    return " ".join((a or "").split()) == " ".join((b or "").split())


class RedditComments:
    supports_comments = True
    idempotent_comment = False

    def validate_comment(self, content: str) -> list[str]:
        return comment_text_errors(content, limit=MAX_COMMENT_CHARACTERS, network="Reddit")

    def comment(self, target, content: str, *, key: str) -> PublishResult:
        self.check_comment(content)
        submission = self.reddit.submission(id=target.platform_post_id)
        try:
            created = self._call(lambda: submission.reply(content), what="comment", unsafe=True)
        except PlatformError as exc:
            cause = exc.__cause__
            if isinstance(cause, prawcore.Forbidden):  # not InsufficientScope: that one is a reconnect
                raise PlatformError(FORBIDDEN, http_status=403) from cause
            raise
        if created is None:
            found = self.find_comment(target, content, key=key, since=None).found
            if found is None:
                raise OutcomeUnknown("Reddit accepted the comment without returning it; checking before any retry.")
            return found
        return self._comment_result(target.platform_post_id, created.id, created.__dict__.get("created_utc"))

    def _comment_result(self, submission_id: str, comment_id: str, created_utc) -> PublishResult:
        return PublishResult(
            platform_post_id=str(comment_id),
            url=f"{settings.REDDIT_URL.rstrip('/')}/comments/{submission_id}/_/{comment_id}/",
            published_at=datetime.fromtimestamp(created_utc, dt_timezone.utc) if created_utc else None,
        )

    def find_comment(self, target, content: str, *, key: str, since) -> Reconciliation:
        """found: one of the account's newest comments is on this submission with our text; not_found: the
        listing reached back past `since` (or ended) without one; otherwise unknown."""
        link = f"t3_{target.platform_post_id}"
        try:
            listing = self._call(lambda: list(self.reddit.redditor(self.account.platform_username).comments.new(limit=RECENT_COMMENTS)),
                                 what="recent comments")
        except PlatformError:  # a failed look is "unknown": the service then never sends blindly
            return Reconciliation()
        for item in listing:
            if item.__dict__.get("link_id") == link and _same(item.__dict__.get("body"), content):
                return Reconciliation(found=self._comment_result(target.platform_post_id, item.id, item.__dict__.get("created_utc")))
        cutoff = since.timestamp() - CLOCK_SKEW_SECONDS if since else None
        oldest = min((c.__dict__.get("created_utc") or 0 for c in listing), default=None)
        saw_everything = len(listing) < RECENT_COMMENTS or (cutoff is not None and oldest is not None and oldest < cutoff)
        return Reconciliation(not_found=True) if saw_everything else Reconciliation()

