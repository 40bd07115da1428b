"""Comments in the Reddit fake: `POST /api/comment/` (what praw's `reply` calls) and the user's comment
listing `GET /user/{name}/comments/` (praw's `redditor(name).comments.new()`).

Behaviour, each from Reddit's own source (reddit-archive/reddit, r2/r2/controllers/api.py `POST_comment`
and r2/r2/lib/validator/validator.py `VSubmitParent`, the last public version) unless noted:
- the OAuth grant must hold `submit`, else a plain 403 "forbidden" (POST_comment checks
  `c.oauth_scope.has_access(..., {'submit'})` and aborts 403 without an insufficient_scope header);
- a `thing_id` that names nothing answers 403 "forbidden" ("for backwards compatibility (normally 404)"),
  as does a subreddit the user may not comment in (here: the user is banned from it);
- an archived submission answers the API error TOO_OLD and a locked one THREAD_LOCKED, both on field
  `parent`, with HTTP 200 (errors list, as every `api_type=json` answer);
- `text` empty answers NO_TEXT, longer than 10,000 characters TOO_LONG (`VMarkdownLength(...,
  max_length=10000)`), both on field `text`;
- `fake.ratelimit_minutes` answers RATELIMIT, as submits do;
- a submission its author deleted still takes comments (VSubmitParent no longer refuses deleted links).
The created comment's body follows praw's cassette TestComment.test_reply.json."""

from __future__ import annotations

import re
import time

from tests.fakes.fake_server import Reply

from . import recorded

_USER_COMMENTS = re.compile(r"^/user/(?P<name>[^/]+)/comments/?$")
MAX_COMMENT = 10_000
FORBIDDEN = {"message": "Forbidden", "error": 403}


class CommentRoutes:
    def route_comments(self, user, request):
        if request.path in ("/api/comment", "/api/comment/") and request.method == "POST":
            return self._comment(user, request)
        if (match := _USER_COMMENTS.match(request.path)) and request.method == "GET":
            mine = sorted((c for c in self.comments.values() if c.author == match["name"]), key=lambda c: c.created_utc, reverse=True)
            limit = int(request.query.get("limit", 25))
            children = [{"kind": "t1", "data": self._t1(c)} for c in mine[:limit]]
            return self._ok({"kind": "Listing", "data": {"after": None, "before": None, "dist": len(children), "modhash": None,
                                                          "children": children}})
        return None

    def _comment(self, user, request):
        from .server import FakeComment

        token = request.headers.get("authorization", "")[len("bearer "):]
        scopes = set(self.access_scopes.get(token, "*").replace(",", " ").split())
        if not scopes & {"submit", "*"}:
            return Reply(403, FORBIDDEN, recorded.RATE_HEADERS)
        form = request.form
        thing = form.get("thing_id", "")
        submission = self.submissions.get(thing.removeprefix("t3_")) if thing.startswith("t3_") else None
        sub = self.subreddits.get(submission.subreddit.lower()) if submission else None
        if submission is None or (sub is not None and user in sub.banned):
            return Reply(403, FORBIDDEN, recorded.RATE_HEADERS)
        problems = []
        if self.ratelimit_minutes:
            problems.append(("RATELIMIT", f"you are doing that too much. try again in {self.ratelimit_minutes} minutes.", "ratelimit"))
        if submission.archived:
            problems.append(("TOO_OLD", "that's a piece of history now; it's too late to reply to it", "parent"))
        elif submission.locked:
            problems.append(("THREAD_LOCKED", "Comments are locked.", "parent"))
        text = form.get("text", "")
        if not text.strip():
            problems.append(("NO_TEXT", "we need something here", "text"))
        elif len(text) > MAX_COMMENT:
            problems.append(("TOO_LONG", f"this is too long (max: {MAX_COMMENT})", "text"))
        if problems:
            return self._ok(recorded.errors(*problems))
        comment = FakeComment(self.new_id(), user, submission.id, submission.subreddit, text, created_utc=time.time())
        self.comments[comment.id] = comment
        submission.num_comments += 1
        return self._ok({"json": {"errors": [], "data": {"things": [{"kind": "t1", "data": self._t1(comment)}]}}})

    def _t1(self, c):
        return {"subreddit_id": "t5_2t5o6", "banned_by": None, "removal_reason": None, "link_id": f"t3_{c.link_id}", "likes": True,
                "replies": "", "user_reports": [], "saved": False, "id": c.id, "gilded": 0, "archived": False, "report_reasons": [],
                "author": c.author, "parent_id": f"t3_{c.link_id}", "score": 1, "approved_by": None, "controversiality": 0,
                "body": c.body, "edited": False, "author_flair_css_class": None, "downs": 0,
                "body_html": f"<div class=\"md\"><p>{c.body}</p>\n</div>", "stickied": False, "subreddit": c.subreddit,
                "score_hidden": False, "name": f"t1_{c.id}", "created": c.created_utc, "author_flair_text": None,
                "created_utc": c.created_utc, "ups": 1, "mod_reports": [], "num_reports": 0, "distinguished": None,
                "permalink": f"/r/{c.subreddit}/comments/{c.link_id}/_/{c.id}/"}
