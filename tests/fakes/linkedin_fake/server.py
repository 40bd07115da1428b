"""The HTTP side of the LinkedIn fake: request parsing, fault injection, JSON replies."""

import json
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from . import samples


@dataclass
class Recorded:
    method: str
    path: str  # raw, still percent-encoded (Rest.li keys are URN-encoded)
    query: dict
    headers: dict
    json: object = None
    form: dict = field(default_factory=dict)
    body: bytes = b""


class Reply(Exception):
    def __init__(self, status, body=None, headers=None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, dict(headers or {})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.fake.handle(self)

    do_POST = do_PUT = do_DELETE = do_GET


def parse(handler) -> Recorded:
    parts = urlsplit(handler.path)
    raw = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
    request = Recorded(handler.command, parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)),
                       {k.lower(): v for k, v in handler.headers.items()}, body=raw)
    content_type = handler.headers.get("Content-Type", "")
    if content_type.startswith("application/json") and raw:
        try:
            request.json = json.loads(raw)
        except ValueError:
            request.json = ValueError("invalid JSON")
    elif content_type.startswith("application/x-www-form-urlencoded"):
        request.form = dict(parse_qsl(raw.decode(), keep_blank_values=True))
    return request


def fault_reply(fault) -> Reply:
    if fault.kind == "rate_limit":
        headers = {"Retry-After": str(fault.options["retry_after"])} if "retry_after" in fault.options else {}
        return Reply(429, samples.TOO_MANY, headers)
    if fault.kind == "server_error":
        return Reply(int(fault.options.get("status", 500)), samples.SERVER_ERROR)
    return Reply(int(fault.options.get("status", 400)), fault.options.get("body"), fault.options.get("headers"))


def send(handler, reply: Reply) -> None:
    data = b"" if reply.body is None else json.dumps(reply.body).encode()
    try:
        handler.send_response(reply.status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if reply.body is not None:
            handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(data)
    except OSError:  # the client gave up (timeout fault)
        pass
    handler.close_connection = True


def stall(seconds: float) -> None:
    time.sleep(seconds)
