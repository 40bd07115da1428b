"""HTTP plumbing for Threads: one requests.Session per adapter with (connect, read) timeouts, the
versioned Graph API base URL from settings, the token sent as a Bearer header (never in a URL that
could end up in a log), and every failure through errors.py."""

from __future__ import annotations

import requests
from django.conf import settings

from ..base import TransientError
from . import errors

CONNECT_TIMEOUT = 10.0


def api_root() -> str:
    return settings.THREADS_API_BASE_URL.rstrip("/")


class ThreadsClient:
    def __init__(self, access_token: str = ""):
        self.access_token = access_token
        self.session = requests.Session()
        self.timeout = (min(CONNECT_TIMEOUT, settings.THREADS_TIMEOUT_SECONDS), settings.THREADS_TIMEOUT_SECONDS)

    def url(self, path: str, *, versioned: bool = True) -> str:
        prefix = f"{api_root()}/{settings.THREADS_API_VERSION}" if versioned else api_root()
        return f"{prefix}/{path.lstrip('/')}"

    def request(self, method: str, path: str, *, params=None, data=None, what: str, unsafe: bool = False,
                versioned: bool = True, auth: bool = True) -> dict:
        headers = {"Authorization": f"Bearer {self.access_token}"} if auth and self.access_token else {}
        try:
            response = self.session.request(
                method, self.url(path, versioned=versioned), params=params, data=data, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise errors.from_transport(exc, what=what, unsafe=unsafe) from exc
        if not response.ok:
            raise errors.from_response(response, what=what, unsafe=unsafe)
        try:
            body = response.json()
        except ValueError as exc:
            if unsafe:
                raise errors.OutcomeUnknown(f"Threads' answer to the {what} could not be read; it may have been published.") from exc
            raise TransientError(f"Threads sent an unreadable answer to the {what} request.") from exc
        return body if isinstance(body, dict) else {"data": body}

    def get(self, path, params=None, *, what, **kwargs):
        return self.request("GET", path, params=params, what=what, **kwargs)

    def post(self, path, data=None, *, what, **kwargs):
        return self.request("POST", path, data=data, what=what, **kwargs)

    def delete(self, path, *, what):
        return self.request("DELETE", path, what=what)
