"""Can a network's servers download our media? Instagram and Threads take photos and videos only by URL
(`image_url` / `video_url`): Meta fetches them, so each URL must be a public https address. With
PUBLIC_BASE_URL unset this server's URLs default to http://127.0.0.1:8000, which Meta cannot reach: the
container then fails with Meta's "Media download has failed". That is refused when the post is checked
(scheduling, the composer's live check) with the message docs/networks.md promises, before anything is
sent, and the Accounts page says it for those accounts.

ALLOW_INSECURE_NETWORK_URLS (local test servers only) also accepts http and loopback addresses, where a
local fake plays Meta and downloads from 127.0.0.1."""

from __future__ import annotations

import ipaddress
from typing import Sequence
from urllib.parse import urlsplit

from django.conf import settings

from .base import MediaItem

NETWORK_NAMES = {"instagram": "Instagram", "threads": "Threads"}


def no_public_address(network: str) -> str:
    return (f"{network} fetches media from a public address, and this server cannot offer one: set PUBLIC_BASE_URL "
            f"to this server's public https address, or store media on S3.")


def fetchable(url: str | None) -> bool:
    """Whether a server on the internet can fetch `url`: https on a public host name or global address."""
    parts = urlsplit(url or "")
    host = (parts.hostname or "").lower()
    if not host:
        return False
    if settings.ALLOW_INSECURE_NETWORK_URLS:
        return parts.scheme in ("http", "https")
    if parts.scheme != "https" or host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return "." in host  # a host name; a bare single label ("media") only resolves inside a network


def media_problems(network: str, media: Sequence[MediaItem]) -> list[str]:
    """[the docs' message] when any attachment has no public URL a network could fetch; else []."""
    for item in media:
        if not item.public_url or not fetchable(item.public_url()):
            return [no_public_address(network)]
    return []


def server_problem(platform: str) -> str:
    """For the Accounts page: the message when this server cannot give `platform` (Instagram, Threads)
    media addresses it could fetch, else ''. Signs a URL for a name no file has: nothing is read."""
    if platform not in NETWORK_NAMES:
        return ""
    from media.public import signed_url

    return "" if fetchable(signed_url("public-address-check.jpg", "image/jpeg")) else no_public_address(NETWORK_NAMES[platform])
