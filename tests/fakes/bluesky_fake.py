"""A fault-injecting reverse proxy in front of the reference PDS (tests/fakes/pds.py).

The PDS keeps the real state and enforces the real lexicon; this proxy forwards every XRPC request to it
and, on demand, breaks the next ones the way networks break:

    proxy = PdsFaultProxy(pds.base_url); base_url = proxy.start()
    proxy.fail_next("429", retry_after=7)                     # answer 429 + Retry-After, nothing stored
    proxy.fail_next("500", nsid="com.atproto.repo.createRecord")  # answer 500, nothing stored
    proxy.fail_next("timeout", delay=3)   # forward (the post is stored), answer only after `delay` s
    proxy.fail_next("drop")               # forward (the post is stored), close without an answer
    proxy.fail_next("drop_before")        # close without forwarding (nothing stored)
    proxy.fail_next("expired_token")      # answer 400 ExpiredToken, nothing stored
    proxy.respond_next("app.bsky.feed.getPosts", 200, {...})  # a canned answer (e.g. an AppView's)
    proxy.requests                        # [ProxiedRequest(method, nsid, body, ...)] in arrival order
    proxy.calls("com.atproto.repo.createRecord")
    proxy.reset(); proxy.stop()

A fault applies to the next `times` requests whose NSID matches `nsid` (any request when None).
Authorization headers are forwarded but never recorded.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import httpx

from tests.fakes.http import FakeHTTPServer

KINDS = ("429", "500", "timeout", "drop", "drop_before", "expired_token")
_HOP_HEADERS = {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "accept-encoding", "content-encoding"}


@dataclass
class Fault:
    kind: str
    times: int
    nsid: str | None = None
    retry_after: float | None = 2
    reset_in: float | None = None
    delay: float = 3.0
    status: int = 200
    body: dict = field(default_factory=dict)


@dataclass
class ProxiedRequest:
    method: str
    nsid: str
    body: dict | None  # parsed JSON body; None for binary uploads and GETs
    content_type: str
    size: int
    params: dict
    authorized: bool
    status: int | None = None  # what the client was answered; None when the connection was dropped
    fault: str = ""


class PdsFaultProxy:
    def __init__(self, upstream: str):
        self.upstream = upstream.rstrip("/")
        self.requests: list[ProxiedRequest] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._server: FakeHTTPServer | None = None
        self._http = httpx.Client(timeout=30)
        self.base_url = ""

    # --- control -------------------------------------------------------------------------------
    def start(self) -> str:
        handler = type("Handler", (_Handler,), {"proxy": self})
        self._server = FakeHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True, name="pds-fault-proxy").start()
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self._http.close()

    def fail_next(self, kind: str, times: int = 1, *, nsid: str | None = None, retry_after: float | None = 2,
                  reset_in: float | None = None, delay: float = 3.0) -> None:
        """Break the next `times` matching requests; `retry_after`/`reset_in` shape a 429's headers."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {KINDS}")
        with self._lock:
            self._faults.append(Fault(kind, times, nsid, retry_after, reset_in, delay))

    def respond_next(self, nsid: str, status: int, body: dict, times: int = 1) -> None:
        """Answer the next `times` requests for `nsid` with this JSON instead of forwarding them."""
        with self._lock:
            self._faults.append(Fault("canned", times, nsid, status=status, body=body))

    def calls(self, nsid: str) -> list[ProxiedRequest]:
        return [request for request in self.requests if request.nsid == nsid]

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()
            self.requests.clear()

    def _take_fault(self, nsid: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.nsid in (None, nsid):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _forward(self, method, path, headers, body) -> httpx.Response:
        return self._http.request(method, self.upstream + path, headers=headers, content=body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    proxy: PdsFaultProxy

    def log_message(self, format, *args):  # keep test output clean
        pass

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def _handle(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path, _, query = self.path.partition("?")
        nsid = path.rsplit("/", 1)[-1]
        content_type = self.headers.get("Content-Type", "")
        parsed = json.loads(body) if body and content_type.startswith("application/json") else None
        record = ProxiedRequest(
            method=self.command, nsid=nsid, body=parsed, content_type=content_type, size=len(body),
            params=dict(httpx.QueryParams(query)), authorized="Authorization" in self.headers,
        )
        self.proxy.requests.append(record)
        fault = self.proxy._take_fault(nsid)
        record.fault = fault.kind if fault else ""
        if fault and fault.kind == "drop_before":
            return self._drop(record)
        if fault and fault.kind in ("429", "500", "expired_token", "canned"):
            return self._answer_fault(record, fault)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
        upstream = self.proxy._forward(self.command, self.path, headers, body)
        if fault and fault.kind == "drop":
            return self._drop(record)
        if fault and fault.kind == "timeout":
            time.sleep(fault.delay)
        out_headers = {k: v for k, v in upstream.headers.items() if k.lower() not in _HOP_HEADERS}
        self._send(record, upstream.status_code, upstream.content, out_headers)

    def _answer_fault(self, record, fault):
        headers = {"Content-Type": "application/json"}
        if fault.kind == "429":
            body = {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(int(fault.retry_after))
            if fault.reset_in is not None:
                headers.update({"RateLimit-Limit": "5000", "RateLimit-Remaining": "0",
                                "RateLimit-Reset": str(int(time.time() + fault.reset_in))})
            status = 429
        elif fault.kind == "500":
            status, body = 500, {"error": "InternalServerError", "message": "Internal Server Error"}
        elif fault.kind == "expired_token":
            status, body = 400, {"error": "ExpiredToken", "message": "Token has expired"}
        else:
            status, body = fault.status, fault.body
        self._send(record, status, json.dumps(body).encode(), headers)

    def _send(self, record, status, content, headers):
        record.status = status
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a timeout fault)
            self.close_connection = True

    def _drop(self, record):
        record.status = None
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
