"""HTTP helpers shared by the adapters that talk to a network with requests: endpoint URLs from settings
(https only, http to loopback for local test servers), and whether a failed request ever left us."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def checked_url(url: str, *, setting: str) -> str:
    """`url` without a trailing slash, if it is https (or http to loopback when insecure URLs are allowed)."""
    parts = urlsplit(url or "")
    if parts.scheme == "https" and parts.hostname:
        return url.rstrip("/")
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS and settings.ALLOW_INSECURE_NETWORK_URLS:
        return url.rstrip("/")
    raise ImproperlyConfigured(f"{setting} must be an https:// URL (http:// only to 127.0.0.1 with ALLOW_INSECURE_NETWORK_URLS).")


def failed_before_sending(exc: requests.ConnectionError) -> bool:
    """Did the connection fail before our request went out (refused, DNS, connect timeout)?"""
    seen, pending = set(), [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, (NewConnectionError, NameResolutionError, ConnectTimeoutError, ConnectionRefusedError)):
            return True
        pending.extend([getattr(current, "reason", None), current.__cause__, current.__context__])
        pending.extend(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))
    return False


def request_was_sent(exc: requests.RequestException) -> bool:
    """False only when the request certainly never left (refused, DNS, connect timeout, bad URL): then
    a retry cannot duplicate anything; after anything else the outcome of a create call is unknown."""
    if isinstance(exc, (requests.ConnectTimeout, requests.exceptions.InvalidURL)):
        return False
    if isinstance(exc, requests.ConnectionError):
        return not failed_before_sending(exc)
    return True
