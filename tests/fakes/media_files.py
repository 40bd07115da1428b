"""A tiny HTTP file server on 127.0.0.1 standing in for the signed, expiring public media URLs the
media pipeline serves (Instagram and Threads fetch media by URL). Until that service is merged,
tests build MediaItems whose `public_url` comes from here.

    files = MediaFileServer(); files.start()
    url = files.publish(b"...jpeg bytes...", ttl=600)   # http://127.0.0.1:PORT/m/<name>?expires=..&sig=..
    files.unsigned(url) / files.expired(url)            # the same file without a signature / already expired
    files.stop()
Answers 403 to a missing or wrong signature or an expired URL, 404 to an unknown file.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.http import serve, shut


class MediaFileServer:
    def __init__(self):
        self.key = secrets.token_bytes(16)
        self.files, self.fetches = {}, []
        self.base_url, self._server = "", None

    def start(self) -> str:
        self._server = serve(self, _Handler, "media-files")
        return self.base_url

    def stop(self) -> None:
        shut(self._server)
        self._server = None

    def _sign(self, name: str, expires: int) -> str:
        return hmac.new(self.key, f"{name}:{expires}".encode(), hashlib.sha256).hexdigest()

    def publish(self, data: bytes, *, ttl: int = 600, content_type: str = "image/jpeg") -> str:
        name = secrets.token_hex(8)
        self.files[name] = (data, content_type)
        expires = int(time.time()) + ttl
        return f"{self.base_url}/m/{name}?expires={expires}&sig={self._sign(name, expires)}"

    def unsigned(self, url: str) -> str:
        return url.split("?", 1)[0]

    def expired(self, url: str) -> str:
        name = urlsplit(url).path.rsplit("/", 1)[-1]
        expires = int(time.time()) - 60
        return f"{self.base_url}/m/{name}?expires={expires}&sig={self._sign(name, expires)}"

    def answer(self, path: str, query: dict) -> tuple[int, bytes, str]:
        name = path.rsplit("/", 1)[-1]
        self.fetches.append(path)
        if name not in self.files:
            return 404, b"not found", "text/plain"
        expires = int(query.get("expires") or 0)
        if not hmac.compare_digest(query.get("sig", ""), self._sign(name, expires)) or expires < time.time():
            return 403, b"signature missing, wrong or expired", "text/plain"
        data, content_type = self.files[name]
        return 200, data, content_type


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        parts = urlsplit(self.path)
        status, data, content_type = self.server.fake.answer(parts.path, dict(parse_qsl(parts.query)))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
