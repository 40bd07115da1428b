"""LinkedIn's REST plumbing: one requests session per adapter, the versioned headers every /rest call
needs (`LinkedIn-Version: YYYYMM`, `X-Restli-Protocol-Version: 2.0.0`), URN encoding for Rest.li 2.0
path keys and query values, and timeouts on every request. Failures become typed errors in errors.py.
"""

from __future__ import annotations

from urllib.parse import quote

import requests
from django.conf import settings

from social_media.platforms.base import TransientError
from social_media.platforms.http import checked_url

from .errors import from_response, from_transport

RESTLI_PROTOCOL = "2.0.0"


def api_base_url() -> str:
    return checked_url(settings.LINKEDIN_API_BASE_URL, setting="LINKEDIN_API_BASE_URL")


def oauth_base_url() -> str:
    return checked_url(settings.LINKEDIN_OAUTH_BASE_URL, setting="LINKEDIN_OAUTH_BASE_URL")


def timeouts() -> tuple[float, float]:
    seconds = float(settings.LINKEDIN_TIMEOUT_SECONDS)
    return min(seconds, 10.0), seconds


def encode(urn: str) -> str:
    """A URN as a Rest.li 2.0 path key or query value: every reserved character percent-encoded
    (urn:li:share:1 -> urn%3Ali%3Ashare%3A1)."""
    return quote(urn, safe="")


def urn_list(urns) -> str:
    """Rest.li 2.0 list syntax for a query value: List(urn%3A...,urn%3A...)."""
    return "List(" + ",".join(encode(u) for u in urns) + ")"


class LinkedInClient:
    """Calls for one access token. `call` returns the response (2xx) or raises a PlatformError;
    `may_have_landed` marks a create whose outcome is unknown after a timeout or 5xx."""

    def __init__(self, access_token: str):
        self.base_url = api_base_url()
        self.session = requests.Session()
        self.session.headers.update({
            "Authorization": f"Bearer {access_token}",
            "LinkedIn-Version": str(settings.LINKEDIN_VERSION),
            "X-Restli-Protocol-Version": RESTLI_PROTOCOL,
        })

    def call(self, method: str, path: str, *, query: str = "", json=None, restli_method: str = "", what: str = "request",
             may_have_landed: bool = False, write: bool = False) -> requests.Response:
        url = self.base_url + path + (f"?{query}" if query else "")
        headers = {"X-RestLi-Method": restli_method} if restli_method else {}
        return self.send(method, url, json=json, headers=headers, what=what, may_have_landed=may_have_landed, write=write)

    def send(self, method: str, url: str, *, what: str, may_have_landed: bool = False, write: bool = False, **kwargs) -> requests.Response:
        try:
            response = self.session.request(method, url, timeout=timeouts(), **kwargs)
        except requests.RequestException as exc:
            raise from_transport(exc, what=what, may_have_landed=may_have_landed) from None
        if not 200 <= response.status_code < 300:
            raise from_response(response, what=what, may_have_landed=may_have_landed, write=write)
        return response

    def json(self, method: str, path: str, **kwargs) -> dict:
        response = self.call(method, path, **kwargs)
        try:
            body = response.json() if response.content else {}
        except ValueError:
            raise TransientError("LinkedIn sent an unreadable answer; will retry.") from None
        return body if isinstance(body, dict) else {}
