"""A small base for stateful network fakes on 127.0.0.1 (Threads, Reddit): a threaded HTTP server,
a request log, and fault injection. A subclass implements `route(request) -> Reply` and keeps its
state under `self.lock`.

    fake.fail_next(kind, times=1, path=None, method=None, **options)
kinds (matched by optional `path` prefix and `method`; each fires `times` times):
    "status"            answer `status` with `body` / `headers` (options); nothing is handled or stored
    "after_store"       handle the request (a post IS stored), then answer `status` (default 500) with `body`
    "timeout"           handle the request, then wait `delay` seconds (default fake.timeout_delay) before answering
    "drop"              close the connection before anything is handled
    "drop_after_store"  handle the request (a post IS stored), then close the connection unanswered
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.http import FakeHTTPServer

FAULT_KINDS = {"status", "after_store", "timeout", "drop", "drop_after_store"}


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict
    form: dict = field(default_factory=dict)
    json: object = None
    files: dict = field(default_factory=dict)  # name -> (filename, content_type, bytes)

    @property
    def params(self) -> dict:
        """Query and form together, as Graph-style APIs read them."""
        return {**self.query, **self.form}


class Reply(Exception):
    def __init__(self, status=200, body=None, headers=None, *, raw: bytes | None = None, content_type="application/json"):
        self.status, self.body, self.headers, self.raw, self.content_type = status, body, dict(headers or {}), raw, content_type


@dataclass
class _Fault:
    kind: str
    times: int
    path: str | None
    method: str | None
    options: dict


class FakeServer:
    name = "fake"
    timeout_delay = 3.0

    def __init__(self):
        self.lock = threading.RLock()
        self.requests: list[Request] = []
        self._faults: list[_Fault] = []
        self._server = None
        self.base_url = ""

    def route(self, request: Request) -> Reply:
        raise NotImplementedError

    def fault_body(self, status: int) -> dict:
        return {"error": "fault", "status": status}

    # --- lifecycle -------------------------------------------------------------------------
    def start(self, *, ssl_context=None) -> str:
        """Serve on a free 127.0.0.1 port (https when given an ssl.SSLContext); returns the base URL."""
        self._server = FakeHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        if ssl_context is not None:
            self._server.socket = ssl_context.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, name=f"{self.name}-fake", daemon=True).start()
        scheme = "https" if ssl_context is not None else "http"
        self.base_url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}"
        return self.base_url

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # --- faults and the request log ---------------------------------------------------------
    def fail_next(self, kind: str, times: int = 1, path: str | None = None, method: str | None = None, **options) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(FAULT_KINDS)}")
        with self.lock:
            self._faults.append(_Fault(kind, times, path, method.upper() if method else None, options))

    def requests_to(self, path: str, method: str | None = None) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path == path and (method is None or r.method == method)]

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
        request = parse_request(handler.command, parts.path, parts.query, handler.headers, raw)
        with self.lock:
            self.requests.append(request)
            fault = self._take_fault(handler.command, parts.path)
        if fault and fault.kind == "drop":
            handler.close_connection = True
            return
        if fault and fault.kind == "status":
            status = int(fault.options.get("status", 500))
            return _send(handler, Reply(status, fault.options.get("body") or self.fault_body(status), fault.options.get("headers")))
        try:
            with self.lock:
                reply = self.route(request)
        except Reply as answer:
            reply = answer
        if fault and fault.kind == "drop_after_store":
            handler.close_connection = True
            return
        if fault and fault.kind == "after_store":
            status = int(fault.options.get("status", 500))
            reply = Reply(status, fault.options.get("body") or self.fault_body(status))
        if fault and fault.kind == "timeout":
            time.sleep(fault.options.get("delay", self.timeout_delay))
        _send(handler, reply)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.fake._handle(self)

    do_POST = do_DELETE = do_PUT = do_PATCH = do_GET


def parse_request(method, path, query_string, headers, raw) -> Request:
    query = dict(parse_qsl(query_string, keep_blank_values=True))
    content_type = headers.get("Content-Type", "")
    request = Request(method, path, query, {k.lower(): v for k, v in headers.items()})
    if content_type.startswith("application/json") and raw:
        try:
            request.json = json.loads(raw)
        except ValueError:
            request.json = ValueError("invalid JSON")
    elif content_type.startswith("application/x-www-form-urlencoded"):
        request.form = dict(parse_qsl(raw.decode(), keep_blank_values=True))
    elif content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            if filename is not None:
                request.files[name] = (filename, part.get_content_type(), part.get_payload(decode=True) or b"")
            else:
                request.form[name] = (part.get_payload(decode=True) or b"").decode()
    return request


def _send(handler, reply: Reply) -> None:
    if reply.raw is not None:
        data, content_type = reply.raw, reply.content_type
    else:
        data, content_type = (b"" if reply.body is None else json.dumps(reply.body).encode()), reply.content_type
    try:
        handler.send_response(reply.status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if data:
            handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(data)
    except OSError:  # the client gave up (timeout fault)
        pass
    handler.close_connection = True
