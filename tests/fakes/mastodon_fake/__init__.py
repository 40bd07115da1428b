"""A stateful fake Mastodon instance (stdlib ThreadingHTTPServer on 127.0.0.1) for adapter and engine
tests, covering what mastodon-mock does not: media still processing (202/206), configurable instance
limits, PKCE checking, and injected faults. routes.py holds the Mastodon API, server.py the HTTP side.

    fake = MastodonFake(max_characters=1000)
    base_url = fake.start()                      # background thread, free port; fake.stop() at the end
    account, token = fake.add_account("alice")   # account dict as the API serializes it + its token
    fake.fail_next("429", times=1, method="POST", path="/api/v1/statuses", reset_in=30)
    fake.processing_polls = 2                    # new v2 uploads answer 202, then 206 twice, then 200
    fake.latency = 0.05                          # every request waits this long first (benchmarks)
    fake.posts / fake.media / fake.requests      # statuses, attachments, every request received
    fake.set_counts(status_id, favourites=3, reblogs=1, replies=2)
    fake.revoke(token); fake.reset()
    fake.limits["max_characters"] = 640          # what /api/v{1,2}/instance announce (also fake.media_limits);
    fake.announce_limits = False                 # ... or announce nothing; instance_v2_enabled=False: v2 is 404

Faults (`fail_next(kind, times=1, method=None, path=None, **options)`; path is a prefix):
  "429"              429 {"error": "Too many requests"} with X-RateLimit-Limit/Remaining/Reset (ISO 8601,
                     now + `reset_in` s, default 30) as Mastodon sends; `retry_after=N` adds Retry-After.
  "500"              `status` (default 500) {"error": ...}, nothing stored.
  "401", "403"       {"error": "The access token was revoked"} / {"error": "Your login is currently disabled"}.
  "timeout"          handle the request (a status IS stored), then sleep `delay` s (default 3) before answering;
                     with `release=threading.Event()`, answer when the test sets it (at most `delay`, default 25 s).
  "drop"             close the connection without answering; nothing stored.
  "drop_after_store" handle the request (stored), then close the connection without answering.

Wire format (Mastodon's): JSON bodies, errors as {"error": "..."}; Bearer tokens. Endpoints:
GET /api/v{1,2}/instance; POST /api/v1/apps; GET /oauth/authorize (auto-approves as `authorize_as`,
or redirects with error=access_denied when `deny_authorization`); POST /oauth/token (authorization_code,
checks client secret, redirect_uri and the S256 code_verifier; client_credentials). oauth.py refuses
what Mastodon refuses, with its bodies: apps without client_name or redirect_uris or with unknown scopes
(422), an authorization asking for scopes beyond the app's or another response_type (redirect with
error=), a token request without or with another grant_type or scope, and any call outside the token's
scopes (403 "This action is outside the authorized scopes"); GET /api/v1/accounts/verify_credentials;
POST /api/v{1,2}/media (multipart file + description); GET /api/v1/media/:id; POST /api/v1/statuses
(form or JSON, Idempotency-Key, 422 on blank text / over max_characters code points / too many or
unprocessed media); GET + DELETE /api/v1/statuses/:id; GET /api/v1/statuses/:id/source;
GET /api/v1/accounts/:id/statuses (newest first, `limit`).
"""

import itertools
import threading

from tests.fakes.http import FakeHTTPServer
from tests.services import free_port

from .routes import MastodonApi, Reply
from .server import Request, _Handler

__all__ = ["MastodonFake", "Reply", "Request"]


class MastodonFake(MastodonApi):
    def __init__(self, *, max_characters=500, max_media_attachments=4, characters_reserved_per_url=23, version="4.3.2"):
        self.version = version
        self.limits = {"max_characters": max_characters, "max_media_attachments": max_media_attachments,
                       "characters_reserved_per_url": characters_reserved_per_url}
        self.media_limits = {"supported_mime_types": ["image/jpeg", "image/png", "image/gif", "video/mp4"],
                             "image_size_limit": 16777216, "video_size_limit": 103809024, "description_limit": 1500}
        self.announce_limits = True  # False: the instance documents omit configuration (defaults apply)
        self.instance_v2_enabled = True  # False: /api/v2/instance answers 404 (pre-4.0 instance)
        self.processing_polls = 0
        self.authorize_as = None
        self.latency = 0.0  # seconds every request waits before it is handled
        self.deny_authorization = False
        self.base_url = ""
        self._lock = threading.RLock()
        self._server = None
        self.reset()

    # --- control ------------------------------------------------------------------------
    def reset(self):
        with self._lock:
            self.accounts, self.tokens, self.revoked = {}, {}, set()
            self.apps, self.codes = {}, {}
            self.app_tokens, self.token_scopes = set(), {}  # client_credentials tokens; token -> granted scopes
            self.posts, self.media, self.requests, self.faults = [], {}, [], []
            self.idempotency = {}
            self._ids = itertools.count(109_000_000_000_000_001)

    def add_account(self, username, display_name=None, *, scope="read write follow push"):
        with self._lock:
            account = {"id": str(next(self._ids)), "username": username, "acct": username,
                       "display_name": display_name or username.title(), "url": f"{self.base_url}/@{username}",
                       # The Account entity always carries its counts (docs.joinmastodon.org/entities/Account/
                       # #followers_count, #following_count, #statuses_count); set_audience() changes them.
                       "followers_count": 0, "following_count": 0, "statuses_count": 0}
            self.accounts[account["id"]] = account
            token = self._issue(account["id"], scope)["access_token"]
            return account, token

    def set_audience(self, account_id, **counts):
        """Set an account's followers_count, following_count or statuses_count (analytics tests)."""
        assert set(counts) <= {"followers_count", "following_count", "statuses_count"}, counts
        with self._lock:
            self.accounts[str(account_id)].update(counts)

    def revoke(self, token):
        with self._lock:
            self.revoked.add(token)

    def fail_next(self, kind, times=1, *, method=None, path=None, **options):
        assert kind in {"429", "500", "401", "403", "timeout", "drop", "drop_after_store"}, kind
        with self._lock:
            self.faults.append({"kind": kind, "times": times, "method": method, "path": path, **options})

    def set_counts(self, status_id, *, favourites=0, reblogs=0, replies=0):
        status = self._status(status_id)
        status.update(favourites_count=favourites, reblogs_count=reblogs, replies_count=replies)

    def posts_of(self, username):
        return [p for p in self.posts if p["account"]["username"] == username]

    def start(self):
        fake = self
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"

        class Handler(_Handler):
            pass

        Handler.fake = fake
        self._server = FakeHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self.base_url

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # --- state helpers ------------------------------------------------------------------
    def _take_fault(self, method, path):
        with self._lock:
            for fault in self.faults:
                if (fault["method"] or method) == method and path.startswith(fault["path"] or ""):
                    fault["times"] -= 1
                    if fault["times"] <= 0:
                        self.faults.remove(fault)
                    return fault
        return None
