"""Loopback stand-ins for the SSRF tests: a hostile "instance" that redirects, and the "internal"
server it points at (in the audit, 169.254.169.254's metadata service), which records every request
it receives so a test can assert it received none. And a resolver whose answers a test scripts, put
in at the socket.getaddrinfo boundary (DNS rebinding)."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler

from tests.fakes.http import FakeHTTPServer


class Recorder:
    """An HTTP server on `host` (any free port) that records requests and answers with `answer(handler)`:
    (status, headers, body dict). Default: the JSON a metadata service would leak."""

    def __init__(self, host="127.0.0.1", answer=None, port=0, ssl_context=None, keep_alive=False):
        self.requests: list[tuple[str, str]] = []
        self.peers: list[tuple[str, int]] = []  # the client end of the connection each request came on
        self.answer = answer or (lambda request: (200, {}, {"client_id": "stolen-id", "client_secret": "stolen-secret",
                                                             "AccessKeyId": "ASIA-METADATA"}))
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.body = self.rfile.read(length) if length else b""
                recorder.requests.append((self.command, self.path))
                recorder.peers.append(self.client_address)
                status, headers, body = recorder.answer(self)
                raw = json.dumps(body).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = do_PUT = do_DELETE = _any

            def log_message(self, *args):
                pass

        self.server = FakeHTTPServer((host, port), Handler)
        if ssl_context is not None:
            self.server.socket = ssl_context.wrap_socket(self.server.socket, server_side=True)
        self.host, self.port = host, self.server.server_address[1]
        self.base_url = f"{'https' if ssl_context else 'http'}://{host}:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True, name=f"recorder-{self.port}").start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def redirecting_to(location: str, status: int = 302):
    """An answer function that redirects every request to `location`."""
    return lambda request: (status, {"Location": location}, {})


class ScriptedResolver:
    """socket.getaddrinfo for the names in `answers` ({name: [address, address, ...]}): the n-th lookup
    of a name gets the n-th address (the last one repeats). Other names go to the real resolver.
    `lookups` counts the lookups per name."""

    def __init__(self, real, answers: dict[str, list[str]]):
        self.real, self.answers, self.lookups = real, answers, {name: 0 for name in answers}

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in self.answers:
            return self.real(host, port, family, type, proto, flags)
        sequence = self.answers[name]
        address = sequence[min(self.lookups[name], len(sequence) - 1)]
        self.lookups[name] += 1
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sockaddr = (address, int(port or 0), 0, 0) if family == socket.AF_INET6 else (address, int(port or 0))
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)]
