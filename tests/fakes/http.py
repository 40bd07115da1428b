"""The HTTP server our fakes run on."""

from http.server import ThreadingHTTPServer


class FakeHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer with a real listen backlog: the stdlib default of 5 makes the kernel drop
    connection attempts under load, and clients then wait seconds for SYN retransmits."""

    request_queue_size = 1024
    daemon_threads = True


def serve(handler_class, *, name: str, **attributes) -> FakeHTTPServer:
    """Start a FakeHTTPServer on a free 127.0.0.1 port in a daemon thread; `attributes` are set on the
    server (handlers reach them as self.server.<name>). Its address: base_url(server)."""
    import threading

    server = FakeHTTPServer(("127.0.0.1", 0), handler_class)
    for key, value in attributes.items():
        setattr(server, key, value)
    threading.Thread(target=server.serve_forever, name=name, daemon=True).start()
    return server


def base_url(server: FakeHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def shutdown(server: FakeHTTPServer | None) -> None:
    if server is not None:
        server.shutdown()
        server.server_close()
