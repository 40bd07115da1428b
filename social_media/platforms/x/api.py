"""The authenticated HTTP plumbing for X: one requests session per adapter call, shared by tweepy's
v2 Client and our own calls (media upload, post.fields reads), with timeouts on every request.

tweepy 4.17 hard-codes https://api.twitter.com; `XTransport` rewrites that prefix to X_API_BASE_URL
(https://api.x.com by default, a local fake in tests), so tweepy's methods and ours reach the same host.
"""

from __future__ import annotations

import requests
import tweepy
from django.conf import settings
from requests.adapters import HTTPAdapter

from config.numbers import digits
from social_media.platforms.http import checked_url

TWEEPY_HOST = "https://api.twitter.com"


def api_base_url() -> str:
    return checked_url(settings.X_API_BASE_URL, setting="X_API_BASE_URL")


def timeouts() -> tuple[float, float]:
    seconds = float(settings.X_TIMEOUT_SECONDS)
    return min(seconds, 10.0), seconds


class XTransport(HTTPAdapter):
    """Sends tweepy's api.twitter.com requests to `base_url` and applies our (connect, read) timeouts."""

    def __init__(self, base_url: str, timeout: tuple[float, float]):
        super().__init__()
        self.base_url = base_url
        self.timeout = timeout

    def send(self, request, **kwargs):
        if request.url.startswith(TWEEPY_HOST + "/"):
            request.url = self.base_url + request.url[len(TWEEPY_HOST):]
        kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def mount(session: requests.Session, base_url: str) -> requests.Session:
    transport = XTransport(base_url, timeouts())
    session.mount("https://", transport)
    session.mount("http://", transport)
    return session


def new_session() -> requests.Session:
    """A plain session for the OAuth token endpoint (no user token yet)."""
    return mount(requests.Session(), api_base_url())


def raise_for_status(response: requests.Response) -> None:
    """Raise tweepy's exception for an error status, exactly as tweepy's own requests do, so every X
    failure reaches `errors.translate` in the same shape."""
    status = response.status_code
    if 200 <= status < 300:
        return
    if status == 429:
        reset = response.headers.get("x-rate-limit-reset")
        raise tweepy.TooManyRequests(response, reset_time=digits(reset))
    by_status = {400: tweepy.BadRequest, 401: tweepy.Unauthorized, 403: tweepy.Forbidden, 404: tweepy.NotFound}
    if status in by_status:
        raise by_status[status](response)
    if status >= 500:
        raise tweepy.TwitterServerError(response)
    raise tweepy.HTTPException(response)


class XApi:
    """tweepy's v2 Client for one user access token (OAuth 2.0 user context: the token goes out as
    `Authorization: Bearer`, so every tweepy call passes user_auth=False), plus `call()` for the
    endpoints tweepy lacks, on the same session."""

    def __init__(self, access_token: str):
        self.base_url = api_base_url()
        self.client = tweepy.Client(bearer_token=access_token, return_type=dict)
        mount(self.client.session, self.base_url)
        self._headers = {"Authorization": f"Bearer {access_token}", "User-Agent": self.client.user_agent}

    def call(self, method: str, path: str, *, params=None, json=None, data=None, files=None) -> dict:
        response = self.client.session.request(
            method, self.base_url + path, params=params, json=json, data=data, files=files, headers=self._headers
        )
        raise_for_status(response)
        return response.json() if response.content else {}
