"""The Mastodon client API as the fake serves it: each handler returns a JSON body or raises Reply."""

import html
from datetime import datetime, timezone
from urllib.parse import urlsplit

from .errors import Reply
from .oauth import MastodonOAuth, covers

__all__ = ["MastodonApi", "Reply"]


class MastodonApi(MastodonOAuth):
    """Routes and state transitions; MastodonFake holds the state and calls `route` under its lock."""

    def _status(self, status_id):
        for status in self.posts:
            if status["id"] == str(status_id):
                return status
        raise Reply(404, {"error": "Record not found"})

    def _auth(self, request, needs):
        """The token's account, when the token holds scope `needs` (write covers write:statuses...)."""
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if token in self.revoked:
            raise Reply(401, {"error": "The access token was revoked"})
        if token in self.app_tokens:
            raise Reply(422, {"error": "This method requires an authenticated user"})
        if token not in self.tokens:
            raise Reply(401, {"error": "The access token is invalid"})
        if not (needs == "read:accounts" and covers(self.token_scopes.get(token, ()), "profile")):
            self._require_scope(token, needs)
        return self.accounts[self.tokens[token]]

    def _instance(self, version):
        configuration = {"statuses": dict(self.limits), "media_attachments": dict(self.media_limits)} if self.announce_limits else {}
        host = urlsplit(self.base_url).netloc
        key = {"domain": host} if version == 2 else {"uri": host}
        return {**key, "title": "Fake Mastodon", "version": self.version, "configuration": configuration}

    def _media_json(self, media):
        return {key: media[key] for key in ("id", "type", "url", "preview_url", "description")}

    def _status_json(self, status, *, with_text=False):
        data = {key: value for key, value in status.items() if key not in ("text", "media_ids")}
        data["media_attachments"] = [self._media_json(self.media[m]) for m in status["media_ids"]]
        if with_text:
            data["text"] = status["text"]
        return data

    def _create_status(self, request, account):
        params = request.json if isinstance(request.json, dict) else {k: v if k.endswith("[]") else v[-1] for k, v in request.form.items()}
        key = request.headers.get("idempotency-key")
        if key and (account["id"], key) in self.idempotency:
            return self._status_json(self._status(self.idempotency[(account["id"], key)]))
        text = str(params.get("status") or "")
        media_ids = [str(m) for m in (params.get("media_ids") or params.get("media_ids[]") or [])]
        # A reply to a status that does not exist: 404 with Mastodon's sentence (statuses_controller.rb
        # `set_thread` rescues RecordNotFound; config/locales/en.yml statuses.errors.in_reply_not_found).
        in_reply_to_id = str(params.get("in_reply_to_id") or "") or None
        if in_reply_to_id is not None and not any(s["id"] == in_reply_to_id for s in self.posts):
            raise Reply(404, {"error": "The post you are trying to reply to does not appear to exist."})
        if not text.strip() and not media_ids:
            raise Reply(422, {"error": "Validation failed: Text can't be blank"})
        if len(text) > self.limits["max_characters"]:
            raise Reply(422, {"error": f"Validation failed: Text character limit of {self.limits['max_characters']} exceeded"})
        if len(media_ids) > self.limits["max_media_attachments"]:
            maximum = self.limits["max_media_attachments"]
            raise Reply(422, {"error": f"Validation failed: Media attachments count is too high (maximum is {maximum})"})
        for media_id in media_ids:
            media = self.media.get(media_id)
            if media is None or media["account_id"] != account["id"]:
                raise Reply(422, {"error": "Validation failed: Media attachments are invalid"})
            if media["url"] is None:
                raise Reply(422, {"error": "Cannot attach files that have not finished processing. Try again in a moment!"})
        status_id = str(next(self._ids))
        paragraphs = "".join(f"<p>{html.escape(p).replace(chr(10), '<br />')}</p>" for p in text.split("\n\n"))
        status = {
            "id": status_id, "uri": f"{self.base_url}/users/{account['username']}/statuses/{status_id}",
            "url": f"{self.base_url}/@{account['username']}/{status_id}",
            "created_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "content": paragraphs, "text": text, "visibility": params.get("visibility") or "public", "in_reply_to_id": in_reply_to_id,
            "account": account, "media_ids": media_ids, "favourites_count": 0, "reblogs_count": 0, "replies_count": 0,
            "application": {"name": "Scheduler"},
        }
        self.posts.append(status)
        if key:
            self.idempotency[(account["id"], key)] = status_id
        return self._status_json(status)

    def _upload(self, request, account, *, asynchronous):
        upload = next((f for f in request.files if f["name"] == "file"), None)
        if upload is None:
            raise Reply(422, {"error": "Validation failed: File can't be blank"})
        if upload["content_type"] not in self.media_limits["supported_mime_types"]:
            raise Reply(422, {"error": f"Validation failed: File content type {upload['content_type']} is not supported"})
        media_id = str(next(self._ids))
        description = next((v[-1] for k, v in request.form.items() if k == "description"), None)
        url = f"{self.base_url}/system/media/{media_id}"
        pending = self.processing_polls if asynchronous else 0
        self.media[media_id] = {"id": media_id, "type": upload["content_type"].split("/")[0], "url": None if pending else url,
                                "preview_url": url, "description": description, "account_id": account["id"],
                                "size": len(upload["data"]), "content_type": upload["content_type"], "_url": url, "_pending": pending}
        raise Reply(202 if pending else 200, self._media_json(self.media[media_id]))

    def _poll_media(self, media_id):
        media = self.media.get(media_id) or {}
        if not media:
            raise Reply(404, {"error": "Record not found"})
        if media["_pending"] > 0:
            media["_pending"] -= 1
            raise Reply(206, self._media_json(media))
        media["url"] = media["_url"]
        return self._media_json(media)

    def route(self, request):
        """Answer one request (called by the handler with the lock held): returns a JSON body or raises Reply."""
        method, path = request.method, request.path.rstrip("/") or "/"
        parts = path.strip("/").split("/")
        if method == "GET" and path == "/api/v2/instance":
            if not self.instance_v2_enabled:
                raise Reply(404, {"error": "Record not found"})
            return self._instance(2)
        if method == "GET" and path == "/api/v1/instance":
            return self._instance(1)
        if method == "POST" and path == "/api/v1/apps":
            return self._register_app(request)
        if method == "GET" and path == "/oauth/authorize":
            self._authorize(request)
        if method == "POST" and path == "/oauth/token":
            return self._token(request)
        if method == "GET" and path == "/api/v1/accounts/verify_credentials":
            return self._auth(request, "read:accounts")
        if method == "POST" and path in ("/api/v1/media", "/api/v2/media"):
            self._upload(request, self._auth(request, "write:media"), asynchronous=path.startswith("/api/v2"))
        if method == "GET" and parts[:3] == ["api", "v1", "media"] and len(parts) == 4:
            self._auth(request, "write:media")
            return self._poll_media(parts[3])
        if method == "POST" and path == "/api/v1/statuses":
            return self._create_status(request, self._auth(request, "write:statuses"))
        if parts[:3] == ["api", "v1", "statuses"] and len(parts) in (4, 5):
            account = self._auth(request, "write:statuses" if method == "DELETE" else "read:statuses")
            status = self._status(parts[3])
            if len(parts) == 5 and parts[4] == "source" and method == "GET":
                return {"id": status["id"], "text": status["text"], "spoiler_text": ""}
            if method == "GET" and len(parts) == 4:
                return self._status_json(status)
            if method == "DELETE" and len(parts) == 4:
                if status["account"]["id"] != account["id"]:
                    raise Reply(404, {"error": "Record not found"})
                self.posts.remove(status)
                return self._status_json(status, with_text=True)
        if method == "GET" and parts[:3] == ["api", "v1", "accounts"] and len(parts) == 5 and parts[4] == "statuses":
            self._auth(request, "read:statuses")
            limit = min(int((request.query.get("limit") or ["20"])[-1]), 40)
            own = [s for s in reversed(self.posts) if s["account"]["id"] == parts[3]]
            return [self._status_json(s) for s in own[:limit]]
        raise Reply(404, {"error": "Record not found"})
