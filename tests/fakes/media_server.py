"""A local HTTP file server standing in for our signed, expiring media URLs (S3 or PUBLIC_BASE_URL),
so the Threads/Instagram fakes can fetch `image_url`/`video_url` the way Meta's servers do.

    files = MediaFileServer(); files.start()
    url = files.add(b"...", "image/jpeg")           # signed, valid for `ttl` seconds
    url = files.add(b"...", "image/jpeg", ttl=-1)   # already expired: answers 403 like an expired S3 URL
    files.missing_url()                             # a URL that answers 404
    files.fetches                                   # [name] every successful download
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import time

from tests.fakes.fake_server import FakeServer, Reply

_KEY = b"media-server-test-key"


class MediaFileServer(FakeServer):
    name = "media"

    def __init__(self):
        super().__init__()
        self.files: dict[str, tuple[bytes, str]] = {}
        self.fetches: list[str] = []
        self._ids = itertools.count(1)

    def add(self, data: bytes, content_type: str, *, ttl: int = 600) -> str:
        with self.lock:
            name = f"m{next(self._ids)}"
            self.files[name] = (data, content_type)
        return self.url_for(name, ttl=ttl)

    def url_for(self, name: str, *, ttl: int = 600) -> str:
        expires = int(time.time()) + ttl
        return f"{self.base_url}/media/{name}?expires={expires}&signature={_sign(name, expires)}"

    def missing_url(self) -> str:
        return self.url_for("does-not-exist")

    def route(self, request) -> Reply:
        name = request.path.removeprefix("/media/")
        try:
            expires = int(request.query.get("expires", "0"))
        except ValueError:
            expires = 0
        if not hmac.compare_digest(request.query.get("signature", ""), _sign(name, expires)) or expires < time.time():
            return Reply(403, raw=b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>", content_type="application/xml")
        if name not in self.files:
            return Reply(404, raw=b"<Error><Code>NoSuchKey</Code></Error>", content_type="application/xml")
        data, content_type = self.files[name]
        self.fetches.append(name)
        return Reply(200, raw=data, content_type=content_type)


def _sign(name: str, expires: int) -> str:
    return hmac.new(_KEY, f"{name}:{expires}".encode(), hashlib.sha256).hexdigest()
