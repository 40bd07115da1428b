"""The Graph API over one requests session: versioned base URLs from settings, (connect, read)
timeouts, the token in an Authorization header (never in a URL) with its appsecret_proof, and every
non-2xx answer or transport failure translated by errors.py.

    graph = Graph(page_token)
    graph.get("/123/posts", fields="id,message")           # -> dict
    graph.post("/123/feed", data={"message": "hi"}, creates_post=True)
"""

from __future__ import annotations

import hashlib
import hmac

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from social_media.platforms.http import checked_url

from .errors import from_response, from_transport


def graph_url(path: str = "", *, video: bool = False) -> str:
    setting = "META_GRAPH_VIDEO_BASE_URL" if video else "META_GRAPH_BASE_URL"
    base = checked_url(getattr(settings, setting), setting=setting)
    return f"{base}/{settings.META_GRAPH_VERSION}{path}"


def timeouts() -> tuple[float, float]:
    seconds = float(settings.META_TIMEOUT_SECONDS)
    return min(seconds, 10.0), seconds


def app_credentials() -> tuple[str, str]:
    if not settings.META_APP_ID or not settings.META_APP_SECRET:
        raise ImproperlyConfigured("META_APP_ID and META_APP_SECRET are not set: create a Meta app and set both.")
    return settings.META_APP_ID, settings.META_APP_SECRET


def appsecret_proof(token: str) -> str:
    """HMAC-SHA256 of the token with the app secret, which Meta requires when the app enables
    'Require App Secret'; harmless otherwise."""
    return hmac.new(settings.META_APP_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()


class Graph:
    def __init__(self, access_token: str = "", *, session: requests.Session | None = None):
        self.access_token = access_token
        self.session = session or requests.Session()

    def request(self, method: str, path: str, *, params=None, data=None, files=None, video=False,
                creates_post=False, what="request") -> dict:
        """One Graph call. `creates_post`: a non-idempotent write; an answer lost after sending (or a
        5xx) is then OutcomeUnknown, never a plain retry."""
        url = path if path.startswith("http") else graph_url(path, video=video)
        params = dict(params or {})
        headers = {"Accept": "application/json"}
        if self.access_token:
            headers["Authorization"] = f"Bearer {self.access_token}"
            if settings.META_APP_SECRET:
                params["appsecret_proof"] = appsecret_proof(self.access_token)
        try:
            response = self.session.request(method, url, params=params, data=data, files=files, headers=headers, timeout=timeouts())
        except requests.RequestException as exc:
            raise from_transport(exc, creates_post=creates_post) from None  # keeps tokens out of tracebacks
        if not response.ok:
            raise from_response(response, creates_post=creates_post, what=what)
        try:
            return response.json() if response.content else {}
        except ValueError:
            raise from_transport(requests.JSONDecodeError("unreadable", "", 0), creates_post=creates_post) from None

    def get(self, path: str, what: str = "request", **params) -> dict:
        return self.request("GET", path, params=params, what=what)

    def post(self, path: str, *, data=None, files=None, video=False, creates_post=False, what="post") -> dict:
        return self.request("POST", path, data=data, files=files, video=video, creates_post=creates_post, what=what)

    def delete(self, path: str) -> dict:
        return self.request("DELETE", path, what="post")

    def pages(self, path: str, *, limit_pages: int = 10, **params) -> list:
        """Every item of a paged edge (follows paging.next, at most `limit_pages` pages)."""
        items, answer = [], self.get(path, **params)
        for _ in range(limit_pages):
            items.extend(answer.get("data") or [])
            next_url = (answer.get("paging") or {}).get("next")
            if not next_url:
                break
            answer = self.request("GET", next_url)
        return items
