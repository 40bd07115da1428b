import os

import pytest
from django.core.cache import cache

from tests.factories import *  # noqa: F401,F403


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield


@pytest.fixture(scope="session")
def django_db_keepdb(request):
    """Through PgBouncer (make test-pgbouncer) the test database is kept at the end: PgBouncer holds its
    server connections, so PostgreSQL would refuse to drop it, and the server is thrown away anyway."""
    return bool(os.environ.get("TEST_DB_VIA")) or request.config.getvalue("reuse_db")


@pytest.fixture(scope="session", autouse=True)
def _close_publish_pool(django_db_setup, django_db_blocker):
    """The engine's thread pool holds database connections; close them before the test database goes."""
    yield
    from social_media.services.publishing import shutdown_executor

    shutdown_executor()


@pytest.fixture
def mailoutbox(mailoutbox):
    """pytest-django's outbox, with Celery tasks run in the test process: mail goes out from tasks
    (invitations: accounts/tasks.py), and a test that reads the outbox wants the mail the task sends."""
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield mailoutbox
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def workspace(user):
    return user.personal_workspace


@pytest.fixture
def mastodon_account(db, mastodon_fake):
    """An account on the fault-injecting Mastodon fake, with the limits that instance announces."""
    remote, token = mastodon_fake.add_account("alice")
    account = ConnectedAccountFactory(
        platform="mastodon", platform_user_id=remote["id"], platform_username=remote["username"],
        access_token=token, refresh_token="", instance_url=mastodon_fake.base_url,
    )
    account.remote = remote
    return account


@pytest.fixture
def auth_api(api, user):
    """An API client logged in (JWT) as `user`, acting in their personal workspace."""
    from rest_framework_simplejwt.tokens import RefreshToken

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    api.user = user
    return api


# Local network servers (session-scoped; each starts only when a test asks for it).
from tests.platforms.conftest_bluesky import *  # noqa: E402,F401,F403
from tests.platforms.conftest_mastodon import *  # noqa: E402,F401,F403
from tests.platforms.conftest_x import *  # noqa: E402,F401,F403
from tests.platforms.conftest_threads import *  # noqa: E402,F401,F403
from tests.platforms.conftest_reddit import *  # noqa: E402,F401,F403
from tests.platforms.conftest_linkedin import *  # noqa: E402,F401,F403
from tests.platforms.conftest_meta import *  # noqa: E402,F401,F403
