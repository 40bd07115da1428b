"""The one exception handlers raise to answer with a status and a JSON body."""


class Reply(Exception):
    """Raised by handlers to answer with an HTTP status and JSON body."""

    def __init__(self, status, body=None, headers=None):
        self.status, self.body, self.headers = status, body, headers or {}
