"""The endpoints of the X fake (tests/fakes/x_fake.py), as a mixin over its state. Each handler returns
or raises a `Reply`. Request checks follow X: bearer token and OAuth 2.0 scope, unknown query
parameters and body fields rejected with 400, weighted text length (twitter-text v3), duplicate
content (403), media ids it issued and finished processing."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
import time
from datetime import datetime, timezone
from urllib.parse import urlencode

from twitter_text import extract_urls_with_indices, parse_tweet
from twitter_text.config import config as twitter_text_config

from tests.fakes.x_fake_consent import consent_page
from tests.fakes.x_fake_media import MEDIA_KEY_PREFIX, XMediaRoutes
from tests.fakes.x_fake_state import PROBLEM, FakePost, Reply, forbidden, invalid, oauth_error, utcnow

# A 1x1 PNG: the picture the fake's users have.
PROFILE_IMAGE = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
KNOWN_SCOPES = {"tweet.read", "tweet.write", "users.read", "offline.access", "media.write", "like.read"}
POST_BODY_KEYS = {"text", "media", "reply", "quote_tweet_id", "poll", "reply_settings", "geo", "nullcast",
                  "for_super_followers_only", "direct_message_deep_link", "community_id", "card_uri",
                  "made_with_ai", "paid_partnership", "edit_options", "share_with_followers"}
READ_PARAMS = {"post.fields", "expansions", "media.fields", "poll.fields", "user.fields", "place.fields"}
TIMELINE_PARAMS = READ_PARAMS | {"max_results", "pagination_token", "start_time", "end_time", "since_id", "until_id", "exclude"}


class XRoutes(XMediaRoutes):
    ROUTES = [
        ("GET", r"/i/oauth2/authorize", "authorize"),
        ("POST", r"/i/oauth2/authorize", "authorize"),  # the consent page's decision (x_fake_consent.py)
        ("GET", r"/profile_images/(\d+)/avatar_normal.png", "profile_image"),  # plays pbs.twimg.com
        ("POST", r"/2/oauth2/token", "token"),
        ("GET", r"/2/users/me", "users_me"),
        ("GET", r"/2/users/(\d+)/tweets", "user_posts"),
        ("POST", r"/2/tweets", "create_post"),
        ("GET", r"/2/tweets/(\d+)", "get_post"),
        ("DELETE", r"/2/tweets/(\d+)", "delete_post"),
        ("POST", r"/2/media/upload", "upload_simple"),
        ("GET", r"/2/media/upload", "upload_status"),
        ("POST", r"/2/media/upload/initialize", "upload_initialize"),
        ("POST", r"/2/media/upload/(\d+)/append", "upload_append"),
        ("POST", r"/2/media/upload/(\d+)/finalize", "upload_finalize"),
        ("POST", r"/2/media/metadata", "media_metadata"),
    ]

    def route(self, method, path, request, blobs):
        for route_method, pattern, name in self.ROUTES:
            match = re.fullmatch(pattern, path)
            if match and route_method == method:
                return getattr(self, name)(request, blobs, *match.groups())
        raise Reply(404, {"title": "Not Found", "type": "about:blank", "status": 404, "detail": f"No route {method} {path}"})

    # --- OAuth 2.0 -------------------------------------------------------------------------
    def authorize(self, request, blobs):
        q = request.form if request.method == "POST" else request.query
        if q.get("client_id") != self.client_id or q.get("response_type") != "code":
            raise oauth_error(400, "invalid_request", "Unknown client_id or response_type.")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            raise oauth_error(400, "invalid_request", "PKCE with S256 is required.")
        scopes = set(q.get("scope", "").split())
        if not scopes or scopes - KNOWN_SCOPES or not self._login:
            raise oauth_error(400, "invalid_scope", "Unknown scope or nobody logged in.")
        separator = "&" if "?" in q.get("redirect_uri", "") else "?"
        if request.method == "GET" and self.consent_page:
            return Reply(200, consent_page(q, self._login), {"Content-Type": "text/html; charset=utf-8"})
        if request.method == "POST" and q.get("decision") != "authorize":
            location = q.get("redirect_uri", "") + separator + urlencode({"error": "access_denied", "state": q.get("state", "")})
            return Reply(302, None, {"Location": location})
        code = secrets.token_urlsafe(24)
        self.codes[code] = {"user": self._login.id, "redirect_uri": q.get("redirect_uri"),
                            "challenge": q["code_challenge"], "scope": " ".join(sorted(scopes))}
        location = q.get("redirect_uri", "") + separator + urlencode({"state": q.get("state", ""), "code": code})
        return Reply(302, None, {"Location": location})

    def token(self, request, blobs):
        form = request.form
        if self.client_secret:
            expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            if request.headers.get("authorization") != expected:
                raise oauth_error(401, "unauthorized_client", "Missing valid authorization header")
        if form.get("client_id") != self.client_id:
            raise oauth_error(400, "invalid_request", "Missing or unknown client_id.")
        if form.get("grant_type") == "authorization_code":
            grant = self.codes.pop(form.get("code", ""), None)
            if not grant or grant["redirect_uri"] != form.get("redirect_uri"):
                raise oauth_error(400, "invalid_grant", "Value passed for the authorization code was invalid.")
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
                raise oauth_error(400, "invalid_grant", "Value passed for the code verifier was invalid.")
            return Reply(200, self._issue(grant["user"], grant["scope"]))
        if form.get("grant_type") == "refresh_token":
            grant = self.refresh_tokens.get(form.get("refresh_token", ""))
            if not grant or grant["used"]:
                raise oauth_error(400, "invalid_grant", "Value passed for the token was invalid.")
            grant["used"] = True
            return Reply(200, self._issue(grant["user"], grant["scope"]))
        raise oauth_error(400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token.")

    def issue_tokens(self, user, scope="tweet.read tweet.write users.read offline.access media.write"):
        with self.lock:
            return self._issue(user.id, scope)

    def _issue(self, user_id, scope):
        access, refresh = "xat-" + secrets.token_urlsafe(24), "xrt-" + secrets.token_urlsafe(24)
        self.access_tokens[access] = {"user": user_id, "scope": set(scope.split()), "expires_at": time.time() + 7200}
        answer = {"token_type": "bearer", "expires_in": 7200, "access_token": access, "scope": scope}
        if "offline.access" in scope.split():
            self.refresh_tokens[refresh] = {"user": user_id, "scope": scope, "used": False}
            answer["refresh_token"] = refresh
        return answer

    def _user(self, request, *scopes):
        header = request.headers.get("authorization", "")
        grant = self.access_tokens.get(header.removeprefix("Bearer ")) if header.startswith("Bearer ") else None
        if not grant or grant["expires_at"] < time.time():
            raise Reply(401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})
        missing = set(scopes) - grant["scope"]
        if missing:
            raise forbidden(f"Missing OAuth 2.0 scope: {', '.join(sorted(missing))}")
        return self.users[grant["user"]]

    @staticmethod
    def _only(params, allowed):
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise invalid(f"The query parameters [{','.join(unknown)}] is not one of [{','.join(sorted(allowed))}]")

    # --- users and posts -------------------------------------------------------------------
    def users_me(self, request, blobs):
        user = self._user(request, "users.read", "tweet.read")
        self._only(request.query, {"user.fields", "expansions", "post.fields"})
        data = {"id": user.id, "name": user.name, "username": user.username}
        if "subscription_type" in request.query.get("user.fields", "").split(","):
            data["subscription_type"] = user.subscription_type
        if "profile_image_url" in request.query.get("user.fields", "").split(","):
            # User field profile_image_url (docs.x.com data dictionary, user object): X serves it from
            # pbs.twimg.com, e.g. https://pbs.twimg.com/profile_images/<id>/<name>_normal.jpg; this fake serves it too.
            data["profile_image_url"] = f"{self.base_url}/profile_images/{user.id}/avatar_normal.png"
        if "public_metrics" in request.query.get("user.fields", "").split(","):
            data["public_metrics"] = dict(user.public_metrics)
        return Reply(200, {"data": data})

    def profile_image(self, request, blobs, user_id):
        if user_id not in self.users:
            raise Reply(404, {"title": "Not Found", "type": "about:blank", "status": 404, "detail": "No such image"})
        return Reply(200, PROFILE_IMAGE, {"Content-Type": "image/png"})

    def create_post(self, request, blobs):
        user = self._user(request, "tweet.write", "tweet.read", "users.read")
        body = request.json
        if not isinstance(body, dict) or set(body) - POST_BODY_KEYS:
            raise invalid("Invalid or unknown fields in the request body.", body=sorted(body) if isinstance(body, dict) else [])
        text, media_ids = body.get("text", ""), (body.get("media") or {}).get("media_ids") or []
        if not text and not media_ids:
            raise invalid("Post text is required unless media is provided.", text=[text])
        options = dict(twitter_text_config["defaults"], max_weighted_tweet_length=user.max_weighted_length)
        if text and not parse_tweet(text, options).valid:
            raise forbidden("Your Tweet text is too long. For more information on how Twitter determines text length see https://github.com/twitter/twitter-text.")
        kinds = []
        for media_id in media_ids:
            media = self.media.get(str(media_id))
            if not media or media.owner_id != user.id or media.state != "succeeded":
                raise invalid("Your media IDs are invalid.", **{"media.media_ids": media_ids})
            kinds.append(media.category)
        if len(kinds) > 4 or (len(kinds) > 1 and set(kinds) != {"tweet_image"}):
            raise invalid("Your media IDs are invalid.", **{"media.media_ids": media_ids})
        # A reply names a post that must exist: X refuses a reply to a deleted or unknown post with 403 and this
        # sentence (X API v2 POST /2/tweets; the error developers meet replying to a deleted post).
        reply_to = str((body.get("reply") or {}).get("in_reply_to_tweet_id") or "") or None
        if reply_to is not None and (reply_to not in self.tweets or self.tweets[reply_to].deleted):
            raise forbidden("You attempted to reply to a Tweet that is deleted or not visible to you.")
        normal = " ".join(text.split())
        if normal and any(p.author_id == user.id and not p.deleted and " ".join(p.text.split()) == normal for p in self.tweets.values()):
            raise forbidden("You are not allowed to create a Tweet with duplicate content.")
        post = FakePost(self._new_id(), user.id, text, self._render(text, bool(media_ids)), [str(m) for m in media_ids], utcnow())
        post.in_reply_to = reply_to
        self.tweets[post.id] = post
        return Reply(201, {"data": {"id": post.id, "text": post.rendered, "edit_history_post_ids": [post.id]}})

    def get_post(self, request, blobs, post_id):
        self._user(request, "tweet.read", "users.read")
        self._only(request.query, READ_PARAMS)
        post = self.tweets.get(post_id)
        if not post or post.deleted:
            return Reply(200, {"errors": [{"value": post_id, "detail": f"Could not find post with id: [{post_id}].",
                                           "title": "Not Found Error", "resource_type": "post", "parameter": "id",
                                           "resource_id": post_id, "type": PROBLEM + "resource-not-found"}]})
        return Reply(200, {"data": self._post_data(post, request.query.get("post.fields", ""))})

    def delete_post(self, request, blobs, post_id):
        user = self._user(request, "tweet.write", "tweet.read", "users.read")
        post = self.tweets.get(post_id)
        if not post or post.deleted:
            raise Reply(404, {"title": "Not Found Error", "type": PROBLEM + "resource-not-found", "detail": f"Could not find post with id: [{post_id}].",
                              "resource_type": "post", "parameter": "id", "value": post_id, "resource_id": post_id})
        if post.author_id != user.id:
            raise forbidden("You are not allowed to delete this Post.")
        post.deleted = True
        return Reply(200, {"data": {"deleted": True}})

    def user_posts(self, request, blobs, user_id):
        self._user(request, "tweet.read", "users.read")
        q = request.query
        self._only(q, TIMELINE_PARAMS)
        size = int(q.get("max_results", 10)) if q.get("max_results", "10").isdigit() else -1
        if not 5 <= size <= 100:
            raise invalid("The `max_results` query parameter value is not between 5 and 100", max_results=[q.get("max_results")])
        since = _parse_time(q["start_time"]) if q.get("start_time") else None
        posts = [p for p in reversed(list(self.tweets.values()))
                 if p.author_id == user_id and not p.deleted and (since is None or p.created_at >= since)]
        offset = int(q.get("pagination_token") or 0)
        page = posts[offset:offset + size]
        meta = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0].id, oldest_id=page[-1].id)
        if offset + size < len(posts):
            meta["next_token"] = str(offset + size)
        answer = {"meta": meta}
        if page:
            answer["data"] = [self._post_data(p, q.get("post.fields", "")) for p in page]
        return Reply(200, answer)

    def _post_data(self, post, fields):
        data = {"id": post.id, "text": post.rendered, "edit_history_post_ids": [post.id]}
        fields = set(fields.split(",")) if fields else set()
        if "created_at" in fields:
            data["created_at"] = post.created_at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{post.created_at.microsecond // 1000:03d}Z"
        if "author_id" in fields:
            data["author_id"] = post.author_id
        if "conversation_id" in fields:
            # Post field conversation_id: "the Post ID of the original Post of the conversation (which includes
            # direct replies, replies of replies)" (docs.x.com data dictionary; in the spec's post.fields enum).
            data["conversation_id"] = self._conversation_of(post)
        if "public_metrics" in fields:
            data["public_metrics"] = dict(post.public_metrics)
        if "attachments" in fields and post.media_ids:
            data["attachments"] = {"media_keys": [f"{MEDIA_KEY_PREFIX[self.media[m].category]}_{m}" for m in post.media_ids]}
        return data

    def _conversation_of(self, post):
        while post.in_reply_to and post.in_reply_to in self.tweets:
            post = self.tweets[post.in_reply_to]
        return post.in_reply_to or post.id

    def _render(self, text, has_media):
        pieces, cursor = [], 0
        for entity in extract_urls_with_indices(text):
            start, end = entity["indices"]
            pieces += [html.escape(text[cursor:start], quote=False), _tco(entity["url"])]
            cursor = end
        pieces.append(html.escape(text[cursor:], quote=False))
        rendered = "".join(pieces)
        return f"{rendered} {_tco('media:' + text)}".strip() if has_media else rendered


def _tco(url: str) -> str:
    return "https://t.co/" + hashlib.sha1(url.encode()).hexdigest()[:10]


def _parse_time(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
