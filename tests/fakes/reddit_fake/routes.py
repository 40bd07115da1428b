"""Endpoints of the Reddit fake (state lives in server.py). Paths as praw calls them on
oauth.reddit.com (API) and www.reddit.com (authorize, access_token)."""

from __future__ import annotations

import base64
import re
import secrets
import time
from urllib.parse import urlencode

from tests.fakes.fake_server import Reply

from . import recorded

_LISTING = re.compile(r"^/user/(?P<name>[^/]+)/submitted/?$")
_COMMENTS = re.compile(r"^/comments/(?P<id>[a-z0-9]+)/?$")


def _listing(children):
    return {"kind": "Listing", "data": {"after": None, "before": None, "dist": len(children), "modhash": None, "children": children}}


class RedditRoutes:
    def route(self, request):
        path = request.path
        if path == "/api/v1/authorize":
            return self._authorize(request.params)
        if path == "/api/v1/access_token":
            return self._token(request)
        user = self._authenticate(request)
        if comment := self.route_comments(user, request):
            return comment
        if path == "/api/v1/me":
            return self._ok({"name": user, "id": self.users[user].id, "created_utc": 1458545897.0, "link_karma": 1,
                             "comment_karma": 0, "is_suspended": False, "has_verified_email": True})
        if path == "/api/submit/" and request.method == "POST":
            return self._submit(user, request.form)
        if path == "/api/media/asset.json" and request.method == "POST":
            return self._lease(request.form)
        if path == "/api/del/" and request.method == "POST":
            return self._delete(user, request.form.get("id", ""))
        if match := _LISTING.match(path):
            mine = sorted((s for s in self.posts if s.author == match["name"]), key=lambda s: s.created_utc, reverse=True)
            limit = int(request.query.get("limit", 25))
            return self._ok(_listing([{"kind": "t3", "data": self._t3(s)} for s in mine[:limit]]))
        if match := _COMMENTS.match(path):
            submission = self.submissions.get(match["id"])
            if submission is None:
                return Reply(404, {"message": "Not Found", "error": 404}, recorded.RATE_HEADERS)
            return self._ok([_listing([{"kind": "t3", "data": self._t3(submission)}]), _listing([])])
        return Reply(404, {"message": "Not Found", "error": 404}, recorded.RATE_HEADERS)

    def _ok(self, body):
        return Reply(200, body, recorded.RATE_HEADERS)

    # --- OAuth ------------------------------------------------------------------------------
    def _authorize(self, params):
        if params.get("client_id") != self.client_id or self.authorize_as is None:
            return Reply(400, raw=b"invalid client id", content_type="text/html")
        location = params.get("redirect_uri", "")
        if params.get("duration") != "permanent":  # we only ever ask for permanent; a temporary grant has no refresh token
            return Reply(302, headers={"Location": f"{location}?{urlencode({'error': 'invalid_request', 'state': params.get('state', '')})}"})
        code = secrets.token_urlsafe(12)
        self.codes[code] = (self.authorize_as.name, location, params.get("scope", ""))
        return Reply(302, headers={"Location": f"{location}?{urlencode({'state': params.get('state', ''), 'code': code})}"})

    def _token(self, request):
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return Reply(401, {"message": "Unauthorized", "error": 401})
        form = request.form
        if form.get("grant_type") == "authorization_code":
            grant = self.codes.pop(form.get("code", ""), None)
            if grant is None or grant[1] != form.get("redirect_uri"):
                return Reply(200, {"error": "invalid_grant"})
            refresh = self.issue_refresh_token(self.users[grant[0]], scope=grant[2].replace(",", " "))
            access = self._new_access(grant[0], self.refresh_tokens[refresh]["scope"])
            return Reply(200, {**recorded.TOKEN, "access_token": access, "refresh_token": refresh, "scope": self.refresh_tokens[refresh]["scope"]})
        if form.get("grant_type") == "refresh_token":
            grant = self.refresh_tokens.get(form.get("refresh_token", ""))
            if grant is None or grant["revoked"]:
                return Reply(200, {"error": "invalid_grant"})
            return Reply(200, {**recorded.TOKEN, "access_token": self._new_access(grant["user"], grant["scope"]), "scope": grant["scope"]})
        return Reply(200, {"error": "unsupported_grant_type"})

    def _new_access(self, user, scope="*"):
        token = f"{self.users[user].id}-{secrets.token_urlsafe(16)}"
        self.access_tokens[token] = user
        self.access_scopes[token] = scope
        return token

    def _authenticate(self, request) -> str:
        header = request.headers.get("authorization", "")
        user = self.access_tokens.get(header[len("bearer "):]) if header.lower().startswith("bearer ") else None
        if user is None:
            raise Reply(401, {"message": "Unauthorized", "error": 401}, recorded.INVALID_TOKEN_HEADERS)
        return user

    # --- Publishing -------------------------------------------------------------------------
    def _submit(self, user, form):
        problems = self._refusals(user, form)
        if self.ratelimit_minutes:
            problems.insert(0, recorded.RATELIMIT[:1] + (f"you are doing that too much. try again in {self.ratelimit_minutes} minutes.",) + recorded.RATELIMIT[2:])
        if problems:
            return self._ok(recorded.errors(*problems))
        kind = form.get("kind")
        sub = self.subreddits[form["sr"].lower()]
        if kind == "image":
            key = "/".join(form.get("url", "").rsplit("/", 2)[-2:])
            if key in self.uploads:  # Reddit creates the post once its media processing finishes
                self._store(user, sub, form, kind, url=f"https://i.redd.it/{key.split('/')[-1]}.jpg")
            data = {**recorded.SUBMIT_MEDIA["json"]["data"], "user_submitted_page": f"https://www.reddit.com/user/{user}/submitted/"}
            return self._ok({"json": {"errors": [], "data": data}})
        submission = self._store(user, sub, form, kind, url=form.get("url", ""))
        url = f"https://www.reddit.com/r/{sub.name}/comments/{submission.id}/{re.sub(r'[^a-z0-9]+', '_', submission.title.lower())[:50]}/"
        return self._ok({"json": {"errors": [], "data": {"url": url, "id": submission.id, "name": f"t3_{submission.id}"}}})

    def _refusals(self, user, form):
        sub = self.subreddits.get(form.get("sr", "").lower())
        if sub is None:
            return [recorded.SUBREDDIT_NOEXIST]
        if user in sub.banned:
            return [recorded.BANNED]
        if sub.restricted:
            return [recorded.SUBREDDIT_NOTALLOWED]
        problems = []
        title = form.get("title", "")
        if not title.strip():
            problems.append(recorded.NO_TEXT)
        elif len(title) > 300:
            problems.append(recorded.TOO_LONG)
        kind = form.get("kind")
        if (kind == "self" and not sub.allow_self) or (kind == "image" and not sub.allow_images):
            problems.append(recorded.NO_SELFS if kind == "self" else ("NO_IMAGES", "This community doesn't allow images.", "sr"))
        if kind == "link" and not sub.allow_links:
            problems.append(recorded.NO_LINKS)
        flair_id = form.get("flair_id", "")
        if flair_id and flair_id not in sub.flairs:
            problems.append(recorded.BAD_FLAIR)
        elif sub.flair_required and not flair_id:
            problems.append(recorded.FLAIR_REQUIRED)
        return problems

    def _store(self, user, sub, form, kind, *, url):
        from .server import FakeSubmission

        submission = FakeSubmission(self.new_id(), user, sub.name, form["title"], kind, selftext=form.get("text", ""), url=url,
                                    flair_id=form.get("flair_id", ""), flair_text=form.get("flair_text", "") or sub.flairs.get(form.get("flair_id", ""), ""),
                                    created_utc=time.time())
        self.submissions[submission.id] = submission
        return submission

    def _lease(self, form):
        key = f"rte_images/{secrets.token_hex(6)}"
        self.leases[key] = {"filepath": form.get("filepath"), "mimetype": form.get("mimetype")}
        values = {"acl": "public-read", "key": key, "success_action_status": "201", "content-type": form.get("mimetype", "")}
        fields = [{"name": name, "value": values.get(name, "redacted")} for name in recorded.LEASE_FIELDS]
        action = "//" + self.s3.base_url.split("://", 1)[1]
        return self._ok({"args": {"action": action, "fields": fields},
                         "asset": {"asset_id": key.split("/")[-1], "processing_state": "incomplete", "payload": {"filepath": form.get("filepath")}}})

    def _delete(self, user, fullname):
        submission = self.submissions.get(fullname.removeprefix("t3_"))
        if submission is not None and submission.author == user:
            submission.deleted = True
        return self._ok({})

    def _t3(self, s):
        permalink = f"/r/{s.subreddit}/comments/{s.id}/{re.sub(r'[^a-z0-9]+', '_', s.title.lower())[:50]}/"
        return {**recorded.SUBMISSION, "id": s.id, "name": f"t3_{s.id}", "subreddit": s.subreddit, "domain": f"self.{s.subreddit}" if s.kind == "self" else "i.redd.it",
                "author": "[deleted]" if s.deleted else s.author, "title": s.title, "selftext": "[deleted]" if s.deleted else s.selftext,
                "is_self": s.kind == "self", "url": s.url or f"https://www.reddit.com{permalink}", "permalink": permalink,
                "created_utc": s.created_utc, "created": s.created_utc, "score": s.score, "ups": s.score, "upvote_ratio": s.upvote_ratio,
                "num_comments": s.num_comments, "link_flair_text": s.flair_text or None, "link_flair_template_id": s.flair_id or None}
