"""Threads fixtures: the stateful graph.threads.net fake (tests/fakes/threads_fake/) with settings
pointed at it and a connected account on it. The signed-URL media file server it downloads from is
`media_files` (tests/platforms/conftest_meta.py)."""

import pytest

from tests.factories import ConnectedAccountFactory
from tests.fakes.threads_fake import ThreadsFake

__all__ = ["threads_fake", "threads_settings", "threads_account"]


@pytest.fixture
def threads_fake():
    fake = ThreadsFake(app_id="threads-app", app_secret="threads-secret")
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def threads_settings(settings, threads_fake):
    settings.THREADS_APP_ID, settings.THREADS_APP_SECRET = "threads-app", "threads-secret"
    settings.THREADS_API_BASE_URL = threads_fake.base_url
    settings.THREADS_AUTHORIZE_URL = f"{threads_fake.base_url}/oauth/authorize"
    settings.THREADS_TIMEOUT_SECONDS = 5
    settings.THREADS_CONTAINER_POLL_SECONDS = 0.05
    settings.THREADS_CONTAINER_TIMEOUT_SECONDS = 10
    return settings


@pytest.fixture
def threads_account(db, threads_settings, threads_fake):
    from datetime import timedelta

    from django.utils import timezone

    user = threads_fake.add_user("alice")
    token = threads_fake.issue_token(user)
    account = ConnectedAccountFactory(
        platform="threads", platform_user_id=user.id, platform_username=user.username, access_token=token,
        refresh_token="", instance_url="", platform_settings={}, token_expires_at=timezone.now() + timedelta(days=59),
    )
    account.remote = user
    return account

