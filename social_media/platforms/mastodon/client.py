"""HTTP plumbing for the Mastodon adapter: the instance-URL policy and one Mastodon.py client per
instance + token, whose failures go through errors.translate.

The instance is a host the user chose, so every request (the app registration and OAuth posts too,
and every redirect hop) goes through config.safe_http's guarded session: it connects only to public
addresses (or those the operator allowed), checked where the socket is opened, on every use of a
stored instance URL as much as at connect.

Mastodon.py is built with `ratelimit_method="throw"` (it never sleeps inside a worker), a bounded
`request_timeout`, and an explicit API version with `version_check_mode="created"`: it then never
probes `/api/v1/instance` by itself (that probe recurses until RecursionError when the instance
answers an error) and still picks `/api/v2/media` on instances that have it.

Mastodon.py 2.x casts every answer into its typed entities, recursively (a status with its account,
card and emojis: ~2.5 ms of CPU, a third of the engine's whole cost per post). The publish call reads
two fields of its answer, so `call(..., typed=False)` hands back the decoded JSON as it came.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import requests
from django.conf import settings
from mastodon import Mastodon
from mastodon.errors import MastodonError

from config import safe_http

from ..base import PlatformError, TransientError
from .errors import http_error, translate

REQUEST_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds
DEFAULT_API_VERSION = "4.0.0"  # assumed until the instance told us its version
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def normalize_instance_url(url: str) -> str:
    """`mastodon.social`, `https://Mastodon.Social/` -> `https://mastodon.social`. https only; plain
    http only to a loopback host and only when settings.ALLOW_INSECURE_NETWORK_URLS is on."""
    raw = (url or "").strip()
    if not raw:
        raise PlatformError("Enter the address of your Mastodon instance, for example https://mastodon.social.")
    if "://" not in raw:
        raw = f"https://{raw}"
    try:
        parts = urlsplit(raw)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        host = None
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        raise PlatformError(f"'{url}' is not a valid Mastodon instance address.")
    if parts.scheme == "http" and not (settings.ALLOW_INSECURE_NETWORK_URLS and host in LOOPBACK_HOSTS):
        raise PlatformError("Mastodon instances must be reached over https://.")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def api_version(raw) -> str:
    """'4.3.0-beta.1+glitch' -> '4.3.0'; anything unparseable -> DEFAULT_API_VERSION."""
    match = re.match(r"\s*(\d+)\.(\d+)(?:\.(\d+))?", str(raw or ""))
    return f"{match[1]}.{match[2]}.{match[3] or 0}" if match else DEFAULT_API_VERSION


def _as_decoded(value, override_type=None):
    """Mastodon.py's `__try_cast_to_type(value, override_type)` -> (value, type name), without the cast."""
    return value, None


class Connection:
    """A Mastodon.py client for one instance (and token), remembering the last HTTP response so
    that `translate` can read its status and rate-limit headers."""

    def __init__(self, base_url: str, access_token: str | None = None, *, version=None, timeout=REQUEST_TIMEOUT):
        self.base_url = base_url
        self.timeout = timeout
        self.last_response = None
        self.session = safe_http.session(pooled=True)  # kept-alive connections, shared by this process's clients
        self.session.hooks["response"].append(self._remember)
        self.api = Mastodon(
            access_token=access_token or None,
            api_base_url=base_url,
            ratelimit_method="throw",
            request_timeout=timeout,
            mastodon_version=api_version(version),
            version_check_mode="created",
            session=self.session,
            user_agent=settings.MASTODON_APP_NAME,
        )

    def _remember(self, response, *args, **kwargs):
        self.last_response = response

    def call(self, method, *args, what: str = "request", unsafe: bool = False, typed: bool = True, **kwargs):
        """Run a Mastodon.py method; raise a typed PlatformError on failure. `unsafe`: the call creates
        something, so a response lost after sending means OutcomeUnknown. `typed=False`: the answer is
        the decoded JSON (dicts and lists), not Mastodon.py's entities. A Connection serves one
        adapter, on one thread."""
        self.last_response = None
        if not typed:  # shadows Mastodon.py's private caster (pinned 2.3.3) on this client only
            self.api._Mastodon__try_cast_to_type = _as_decoded
        try:
            return method(*args, **kwargs)
        except (MastodonError, requests.RequestException, safe_http.BlockedAddress) as exc:
            raise translate(exc, self.last_response, what=what, unsafe=unsafe) from exc
        finally:
            if not typed:
                del self.api._Mastodon__try_cast_to_type

    def post_form(self, path: str, data: dict, *, what: str) -> dict:
        """A plain form POST for the OAuth endpoints Mastodon.py cannot drive (PKCE, error bodies)."""
        try:
            response = self.session.post(self.base_url + path, data=data, timeout=self.timeout)
        except (requests.RequestException, safe_http.BlockedAddress) as exc:
            raise translate(exc, None, what=what) from exc
        if not response.ok:
            raise translate(http_error(response), response, what=what)
        try:
            return response.json()
        except ValueError as exc:  # a 2xx body that is not JSON
            raise TransientError(f"Mastodon sent an unreadable answer to the {what} request.") from exc
