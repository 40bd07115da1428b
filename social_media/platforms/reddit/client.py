"""Building praw for one account, with Reddit's endpoints and a descriptive User-Agent from settings.

praw's HTTP layer (prawcore) retries a request after a 5xx, a reset connection or a read timeout,
POSTs included: for /api/submit that would publish twice. `no_retries` turns that off around every
call that creates something, so such a failure reaches us once, as OutcomeUnknown, and the engine
reconciles instead. (prawcore 4.0: `Session._retry_strategy_class`, a RetryStrategy; pinned in requirements.txt and
covered by tests/platforms/test_reddit.py.)
"""

from __future__ import annotations

from contextlib import contextmanager

import praw
import requests
from django.conf import settings
from prawcore.sessions import RetryStrategy

APP_VERSION = "1.0"


def user_agent() -> str:
    """Reddit asks for `<platform>:<app ID>:<version> (by /u/<username>)`; REDDIT_USER_AGENT overrides."""
    return settings.REDDIT_USER_AGENT or f"web:{settings.REDDIT_CLIENT_ID or 'social-scheduler'}:{APP_VERSION} (self-hosted social media scheduler)"


def build(*, refresh_token: str | None = None, redirect_uri: str | None = None) -> praw.Reddit:
    session = requests.Session()
    return praw.Reddit(
        client_id=settings.REDDIT_CLIENT_ID,
        client_secret=settings.REDDIT_CLIENT_SECRET,
        user_agent=user_agent(),
        refresh_token=refresh_token,
        redirect_uri=redirect_uri,
        oauth_url=settings.REDDIT_OAUTH_URL.rstrip("/"),
        reddit_url=settings.REDDIT_URL.rstrip("/"),
        timeout=int(settings.REDDIT_TIMEOUT_SECONDS),
        ratelimit_seconds=0,  # never sleep in a worker on RATELIMIT: raise, and the engine reschedules
        check_for_updates=False,
        check_for_async=False,
        requestor_kwargs={"session": session},
    )


class _NoRetry(RetryStrategy):
    """One attempt, no sleep before it."""

    def _sleep_seconds(self):
        return None

    def consume_available_retry(self):
        return self

    def should_retry_on_failure(self):
        return False


@contextmanager
def no_retries(reddit: praw.Reddit):
    core = reddit._core
    previous = core._retry_strategy_class
    core._retry_strategy_class = _NoRetry
    try:
        yield
    finally:
        core._retry_strategy_class = previous
