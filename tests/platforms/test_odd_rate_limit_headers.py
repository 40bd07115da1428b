"""A network's rate-limit headers are read as ASCII digits only: "²".isdigit() is true but float("²")
raises, which crashed the error handlers that turn a 429 into a wait."""

from types import SimpleNamespace

import pytest

from social_media.platforms.mastodon.errors import retry_after_seconds
from social_media.platforms.threads.errors import _retry_after


@pytest.mark.parametrize("value", ["²", "١٢", "  ³ "])
def test_mastodon_and_threads_ignore_a_retry_after_that_is_not_ascii_digits(value):
    response = SimpleNamespace(headers={"Retry-After": value, "X-RateLimit-Reset": "²"})
    assert retry_after_seconds(response) is None
    assert _retry_after(response) is None


def test_plain_seconds_are_still_read():
    response = SimpleNamespace(headers={"Retry-After": "42"})
    assert _retry_after(response) == 42.0
    assert 0 < retry_after_seconds(response) <= 42.0
