"""The HTTP server our fakes run on."""

import threading
from http.server import ThreadingHTTPServer


class FakeHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer with a real listen backlog: the stdlib default of 5 makes the kernel drop
    connection attempts under load, and clients then wait seconds for SYN retransmits."""

    request_queue_size = 1024
    daemon_threads = True


def serve(fake, handler_class, name: str) -> FakeHTTPServer:
    """Start `handler_class` on a free 127.0.0.1 port in a daemon thread; handlers reach `fake` as
    `self.server.fake`. Sets `fake.base_url` and returns the server (give it to `shut`)."""
    server = FakeHTTPServer(("127.0.0.1", 0), handler_class)
    server.fake = fake
    threading.Thread(target=server.serve_forever, name=name, daemon=True).start()
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    return server


def shut(server: FakeHTTPServer | None) -> None:
    if server:
        server.shutdown()
        server.server_close()
