"""A webhook receiver on 127.0.0.1 for the tests: records each request and answers the next scripted
status (200 when nothing is scripted); verifies nothing itself, so the tests check the signatures."""

from collections import deque

from tests.fakes.fake_server import FakeServer, Reply


class Receiver(FakeServer):
    name = "webhook-receiver"

    def __init__(self):
        super().__init__()
        self.answers = deque()

    def answer(self, status, headers=None):
        self.answers.append((status, headers or {}))

    def route(self, request):
        status, headers = self.answers.popleft() if self.answers else (200, {})
        return Reply(status, {"ok": status < 300}, headers)
