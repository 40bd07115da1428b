"""Instance addresses and rate-limit headers, as the Mastodon adapter reads them (no server needed)."""

import pytest
from requests.models import Response

from social_media.platforms.base import PlatformError
from social_media.platforms.mastodon.client import normalize_instance_url
from social_media.platforms.mastodon.errors import retry_after_seconds


@pytest.mark.parametrize(
    "given, expected",
    [
        ("mastodon.social", "https://mastodon.social"),
        ("HTTPS://Mastodon.Social/", "https://mastodon.social"),
        ("https://fosstodon.org/@someone", "https://fosstodon.org"),
        ("https://social.example:8443", "https://social.example:8443"),
        ("http://127.0.0.1:3000", "http://127.0.0.1:3000"),  # tests allow loopback http
    ],
)
def test_it_normalizes_instance_addresses(given, expected):
    assert normalize_instance_url(given) == expected


@pytest.mark.parametrize(
    "given, message",
    [
        ("", "Enter the address of your Mastodon instance"),
        ("ftp://mastodon.social", "not a valid Mastodon instance address"),
        ("https://user:secret@mastodon.social", "not a valid Mastodon instance address"),
        ("https://mastodon.social:notaport", "not a valid Mastodon instance address"),
        ("http://mastodon.social", "must be reached over https"),  # plain http only to loopback
    ],
)
def test_it_rejects_unusable_instance_addresses(given, message):
    with pytest.raises(PlatformError, match=message):
        normalize_instance_url(given)


def test_it_rejects_loopback_http_when_insecure_urls_are_off(settings):
    settings.ALLOW_INSECURE_NETWORK_URLS = False
    with pytest.raises(PlatformError, match="must be reached over https"):
        normalize_instance_url("http://127.0.0.1:3000")


def response_with(**headers):
    response = Response()
    response.status_code = 429
    response.headers.update({"Date": "Sun, 01 Jun 2025 12:00:00 GMT", **headers})
    return response


@pytest.mark.parametrize(
    "headers, expected",
    [
        ({"X-RateLimit-Reset": "2025-06-01T12:05:00.000000Z"}, 300),  # Mastodon: ISO 8601
        ({"X-RateLimit-Reset": "1748779290"}, 90),  # epoch seconds (GoToSocial and others)
        ({"Retry-After": "12", "X-RateLimit-Reset": "2025-06-01T12:05:00Z"}, 12),
        ({"Retry-After": "Sun, 01 Jun 2025 12:00:45 GMT"}, 45),
        ({"X-RateLimit-Reset": "2025-06-01T11:59:00Z"}, 1),  # already past: retry soon, never at once
        ({}, None),
    ],
)
def test_it_reads_the_wait_from_rate_limit_headers_against_the_servers_clock(headers, expected):
    assert retry_after_seconds(response_with(**headers)) == expected
