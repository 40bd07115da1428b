"""The HTTP side of the fake: request parsing, fault injection, JSON replies."""

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from .routes import Reply


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict
    form: dict = field(default_factory=dict)  # key -> list of values
    json: object = None
    files: list = field(default_factory=list)  # {"name", "filename", "content_type", "data"}
    received_at: float = field(default_factory=time.time)  # epoch seconds when the request line arrived



class _Handler(BaseHTTPRequestHandler):
    fake = None  # the MastodonFake, set on a per-server subclass
    # Instances answer HTTP/1.1 and keep connections alive (nginx in front of Puma), and the adapter
    # reuses them: the fake does the same, so a test sees one connection carry many requests.
    protocol_version = "HTTP/1.1"
    # The status line and headers, then the body, go out as two writes; with Nagle on, the body waits
    # for the client's delayed ACK (~40 ms) on a kept-alive connection. Real servers send without it.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_GET(self):
        self._handle()

    do_POST = do_PUT = do_DELETE = do_GET

    def _read_request(self):
        parts = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        request = Request(self.command, parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()})
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("application/json") and body:
            request.json = json.loads(body)
        elif ctype.startswith("application/x-www-form-urlencoded"):
            request.form = parse_qs(body.decode(), keep_blank_values=True)
        elif ctype.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + body)
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                data = part.get_payload(decode=True) or b""
                if part.get_filename() is None:
                    request.form.setdefault(name, []).append(data.decode())
                else:
                    request.files.append({"name": name, "filename": part.get_filename(), "content_type": part.get_content_type(), "data": data})
        return request

    def _handle(self):
        fake = self.fake
        request = self._read_request()
        if fake.latency:  # simulated network round trip (benchmarks)
            time.sleep(fake.latency)
        with fake._lock:
            fake.requests.append(request)
        fault = fake._take_fault(request.method, request.path)
        if fault and fault["kind"] == "drop":
            self.close_connection = True
            return
        if fault and fault["kind"] in ("429", "500", "401", "403"):
            reply = _fault_reply(fault)
        else:
            with fake._lock:
                try:
                    reply = Reply(200, fake.route(request))
                except Reply as answer:
                    reply = answer
        if fault and fault["kind"] == "drop_after_store":
            self.close_connection = True
            return
        if fault and fault["kind"] == "timeout":
            if fault.get("release") is not None:  # a threading.Event the test sets when it is done looking
                fault["release"].wait(fault.get("delay", 25))
            else:
                time.sleep(fault.get("delay", 3))
        try:
            self._send(reply)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send(self, reply):
        body = b"" if reply.body is None else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _fault_reply(fault):
    kind = fault["kind"]
    if kind == "429":
        reset = datetime.now(timezone.utc) + timedelta(seconds=fault.get("reset_in", 30))
        headers = {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        }
        if "retry_after" in fault:
            headers["Retry-After"] = str(fault["retry_after"])
        return Reply(429, {"error": "Too many requests"}, headers)
    if kind == "500":
        return Reply(fault.get("status", 500), {"error": "We're sorry, but something went wrong on our end."})
    if kind == "401":
        return Reply(401, {"error": "The access token was revoked"})
    return Reply(403, {"error": "Your login is currently disabled"})
