"""The HTTP side of the Meta fake: request parsing, fault injection, Graph-style JSON replies."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit


class Reply(Exception):
    """Raised (or returned) by routes: an HTTP answer."""

    def __init__(self, status=200, body=None, headers=None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, dict(headers or {})


def graph_error(status, code, message, *, subcode=None, kind="OAuthException", headers=None, **extra):
    """Meta's error body: {"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}."""
    error = {"message": message, "type": kind, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error.update(extra)
    error["fbtrace_id"] = "AbCdEfGhIjKlMnOpQrStUv"
    return Reply(status, {"error": error}, headers)


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict
    form: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)  # name -> {"filename", "content_type", "data"}

    def param(self, name, default=None):
        return self.form.get(name, self.query.get(name, default))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.fake.handle(self)

    do_POST = do_DELETE = do_GET

    def read_request(self) -> Request:
        parts = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        request = Request(self.command, parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)),
                          {k.lower(): v for k, v in self.headers.items()})
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("application/x-www-form-urlencoded"):
            request.form = dict(parse_qsl(raw.decode(), keep_blank_values=True))
        elif ctype.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + raw)
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                data = part.get_payload(decode=True) or b""
                if part.get_filename() is None:
                    request.form[name] = data.decode()
                else:
                    request.files[name] = {"filename": part.get_filename(), "content_type": part.get_content_type(), "data": data}
        return request

    def send(self, reply: Reply):
        data = b"" if reply.body is None else json.dumps(reply.body).encode()
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (timeout fault)
            pass
        self.close_connection = True


@dataclass
class Fault:
    kind: str
    times: int
    path: str | None
    method: str | None
    options: dict

    def matches(self, method, path):
        return (self.path is None or path.startswith(self.path) or path.endswith(self.path)) and self.method in (None, method)


def fault_reply(fault: Fault) -> Reply:
    options = fault.options
    if fault.kind == "rate_limit":
        code = options.get("code", 32)
        minutes = options.get("regain_minutes", 5)
        usage = {options.get("business_id", "1234567890"): [{"type": "pages", "call_count": 100, "total_cputime": 20,
                                                              "total_time": 30, "estimated_time_to_regain_access": minutes}]}
        headers = {"X-App-Usage": json.dumps({"call_count": 100, "total_cputime": 20, "total_time": 30}),
                   "X-Business-Use-Case-Usage": json.dumps(usage)}
        messages = {4: "(#4) Application request limit reached", 17: "(#17) User request limit reached",
                    32: "(#32) Page request limit reached", 613: "(#613) Calls to this api have exceeded the rate limit."}
        return graph_error(400, code, messages.get(code, "(#80001) There have been too many calls to this Page account."), headers=headers)
    if fault.kind in ("server_error", "error_after_store"):
        return graph_error(options.get("status", 500), 2, "An unexpected error has occurred. Please retry your request later.",
                           is_transient=True)
    return graph_error(options.get("status", 400), options.get("code", 100), options.get("message", "Invalid parameter"),
                       subcode=options.get("subcode"), headers=options.get("headers"))


def hang_up(handler):
    handler.close_connection = True


def stall(seconds):
    time.sleep(seconds)
