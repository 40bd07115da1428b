"""The HTTP server our fakes run on."""

from http.server import ThreadingHTTPServer


class FakeHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer with a real listen backlog: the stdlib default of 5 makes the kernel drop
    connection attempts under load, and clients then wait seconds for SYN retransmits."""

    request_queue_size = 1024
    daemon_threads = True
