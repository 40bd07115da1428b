"""A stateful fake of the X API v2 endpoints the scheduler uses, served on 127.0.0.1 in a background
thread. Wire format follows X (problem bodies, OAuth 2.0 token answers, rate-limit headers) and the
official OpenAPI spec (x-api-v2-openapi.json: post.fields, repost_count, /2/media/upload/initialize...).
Endpoints are in x_fake_routes.py (OAuth, users, posts) and x_fake_media.py; state types in x_fake_state.py.

Python API
    fake = XFake(client_id="x-client", client_secret="x-secret")  # client_secret "" = public client
    base_url = fake.start()             # "http://127.0.0.1:PORT"; fake.stop() when done
    user = fake.add_user("alice")       # FakeUser(id, username, name, subscription_type, max_weighted_length)
    fake.login_as(user)                 # who approves GET /i/oauth2/authorize (302 to redirect_uri?state&code)
    fake.consent_page = True            # ...or shows X's consent page, where a person clicks Authorize app / Cancel
    tokens = fake.issue_tokens(user)    # {"access_token", "refresh_token", "expires_in", "scope", ...}, no dance
    fake.expire(tokens["access_token"]) # that access token now answers 401

    fake.fail_next(kind, times=1, path=None, method=None, **options)   # fault injection, kinds below
    fake.fail_next_processing("Unsupported video format")  # the next chunked upload fails processing
    fake.check_after_secs = 1           # processing_info.check_after_secs while media is processing
    fake.timeout_delay = 3.0            # how long a "timeout" fault stalls before answering

    fake.posts                          # [FakePost] in creation order (deleted ones have .deleted = True)
    fake.post(post_id)                  # one FakePost or None
    fake.media                          # {media_id: FakeMedia}
    fake.requests                       # [Recorded(method, path, query, headers, json, form, files)]
    fake.requests_to(path, method=None) # the recorded requests to one path
    fake.set_metrics(post_id, like_count=3, ...)
    fake.reset()                        # forget faults and the request log (users, tokens, posts stay)

Fault kinds (matched by optional `path` prefix and `method`; each fires `times` times):
    "rate_limit"        429, x-rate-limit-reset = now + retry_after (option, default 60), Retry-After too
    "server_error"      `status` (option, default 503) with a problem body; nothing is stored
    "status"            any `status` with `body` and `headers` (options); nothing is stored
    "timeout"           the request is handled (a post IS stored), then the answer waits timeout_delay
    "drop"              the connection closes before anything is handled or answered
    "drop_after_store"  the request is handled (a post IS stored), then the connection closes unanswered
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.http import serve, shut
from tests.fakes.x_fake_routes import XRoutes
from tests.fakes.x_fake_state import FakeMedia, FakePost, FakeUser, Reply

__all__ = ["XFake", "FakeUser", "FakePost", "FakeMedia", "Recorded", "FAULT_KINDS"]

FAULT_KINDS = {"rate_limit", "server_error", "status", "timeout", "drop", "drop_after_store"}


@dataclass
class Recorded:
    method: str
    path: str
    query: dict
    headers: dict
    json: object = None
    form: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)  # name -> {"filename", "content_type", "size"}


@dataclass
class _Fault:
    kind: str
    times: int
    path: str | None
    method: str | None
    options: dict


class XFake(XRoutes):
    def __init__(self, *, client_id="x-client", client_secret="x-secret"):
        self.client_id, self.client_secret = client_id, client_secret
        self.lock = threading.RLock()
        self.users, self.access_tokens, self.refresh_tokens, self.codes = {}, {}, {}, {}
        self.tweets, self.media = {}, {}
        self.requests, self._faults, self._processing_failures = [], [], []
        self.check_after_secs, self.timeout_delay = 1, 3.0
        self._login = None
        self.consent_page = False
        self._ids = itertools.count(1)
        self._server = None
        self.base_url = ""

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> str:
        self._server = serve(self, _Handler, "x-fake")
        return self.base_url

    def stop(self) -> None:
        shut(self._server)
        self._server = None

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self._faults.clear()
            self.consent_page = False
            self._processing_failures.clear()

    # --- state API -------------------------------------------------------------------------
    def add_user(self, username=None, *, name=None, subscription_type="None", max_weighted_length=280) -> FakeUser:
        with self.lock:
            number = next(self._ids)
            user = FakeUser(str(1_500_000_000 + number), username or f"xuser{number}", name or f"X User {number}",
                            subscription_type, max_weighted_length)
            self.users[user.id] = user
            return user

    def login_as(self, user: FakeUser) -> None:
        self._login = user

    def expire(self, access_token: str) -> None:
        with self.lock:
            self.access_tokens[access_token]["expires_at"] = 0

    def fail_next(self, kind: str, times: int = 1, path: str | None = None, method: str | None = None, **options) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(FAULT_KINDS)}")
        with self.lock:
            self._faults.append(_Fault(kind, times, path, method.upper() if method else None, options))

    def fail_next_processing(self, message: str = "Unsupported video format") -> None:
        with self.lock:
            self._processing_failures.append(message)

    @property
    def posts(self) -> list:
        with self.lock:
            return list(self.tweets.values())

    def post(self, post_id) -> FakePost | None:
        return self.tweets.get(str(post_id))

    def set_metrics(self, post_id, **counts) -> None:
        with self.lock:
            self.tweets[str(post_id)].public_metrics.update(counts)

    def requests_to(self, path: str, method: str | None = None) -> list:
        with self.lock:
            return [r for r in self.requests if r.path == path and (method is None or r.method == method)]

    # --- request handling ------------------------------------------------------------------
    def _new_id(self) -> str:
        return str(1_790_000_000_000_000_000 + next(self._ids))

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        for fault in self._faults:
            if (fault.path is None or path.startswith(fault.path)) and fault.method in (None, method):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        raw = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        request = _parse(handler.command, parts.path, parts.query, handler.headers, raw)
        with self.lock:
            self.requests.append(request[0])
            fault = self._take_fault(handler.command, parts.path)
        if fault and fault.kind == "drop":
            return _hang_up(handler)
        if fault and fault.kind in ("rate_limit", "server_error", "status"):
            return _send(handler, *_fault_reply(fault))
        try:
            with self.lock:
                reply = self.route(handler.command, parts.path, *request)
        except Reply as answer:
            reply = answer
        if fault and fault.kind == "drop_after_store":
            return _hang_up(handler)
        if fault and fault.kind == "timeout":
            time.sleep(fault.options.get("delay", self.timeout_delay))
        _send(handler, reply.status, reply.body, reply.headers)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.fake._handle(self)

    do_POST = do_DELETE = do_PUT = do_GET


def _parse(method, path, query_string, headers, raw):
    query = dict(parse_qsl(query_string, keep_blank_values=True))
    content_type = headers.get("Content-Type", "")
    body, form, files, blobs = None, {}, {}, {}
    if content_type.startswith("application/json") and raw:
        try:
            body = json.loads(raw)
        except ValueError:
            body = ValueError("invalid JSON")
    elif content_type.startswith("application/x-www-form-urlencoded"):
        form = dict(parse_qsl(raw.decode(), keep_blank_values=True))
    elif content_type.startswith("multipart/form-data"):
        form, blobs = _multipart(content_type, raw)
        files = {name: {"filename": f, "content_type": t, "size": len(data)} for name, (f, t, data) in blobs.items()}
    recorded = Recorded(method, path, query, {k.lower(): v for k, v in headers.items()}, body, form, files)
    return recorded, blobs


def _multipart(content_type: str, raw: bytes):
    boundary = content_type.split("boundary=", 1)[1].strip().strip('"').encode()
    form, blobs = {}, {}
    for section in raw.split(b"--" + boundary)[1:-1]:
        head, _, data = section.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        data = data.removesuffix(b"\r\n")
        disposition, content_type_part = "", "application/octet-stream"
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "content-disposition":
                disposition = value
            elif name.lower() == "content-type":
                content_type_part = value.strip()
        params = dict(p.strip().split("=", 1) for p in disposition.split(";") if "=" in p)
        field_name = params.get("name", "").strip('"')
        if "filename" in params:
            blobs[field_name] = (params["filename"].strip('"'), content_type_part, data)
        else:
            form[field_name] = data.decode()
    return form, blobs


def _fault_reply(fault: _Fault):
    if fault.kind == "rate_limit":
        retry_after = int(fault.options.get("retry_after", 60))
        reset = int(time.time()) + retry_after
        headers = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset),
                   "retry-after": str(retry_after)}
        return 429, {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}, headers
    status = int(fault.options.get("status", 503 if fault.kind == "server_error" else 400))
    body = fault.options.get("body") or {"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank", "status": status}
    return status, body, dict(fault.options.get("headers") or {})


def _send(handler, status, body, headers=None):
    if isinstance(body, (str, bytes)):  # a page or image for the browser (consent page, avatar); headers name its type
        data, body = (body.encode() if isinstance(body, str) else body), None
    else:
        data = b"" if body is None else json.dumps(body).encode()
    try:
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        if body is not None:
            problem = status >= 400 and "type" in body and "error" not in body
            handler.send_header("Content-Type", "application/problem+json" if problem else "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(data)
    except OSError:  # the client gave up (timeout fault)
        pass
    handler.close_connection = True


def _hang_up(handler):
    handler.close_connection = True
