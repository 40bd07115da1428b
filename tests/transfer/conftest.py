import csv
import io

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Membership
from tests.factories import ConnectedAccountFactory, MembershipFactory, PostQueueFactory, UserFactory


@pytest.fixture
def mastodon(workspace):
    """An active Mastodon account (500 characters, 4 attachments) of the user's workspace."""
    return ConnectedAccountFactory(workspace=workspace, platform="mastodon", platform_username="alice")


@pytest.fixture
def bluesky(workspace):
    return ConnectedAccountFactory(workspace=workspace, platform="bluesky", platform_username="alice.bsky.social", platform_settings={})


@pytest.fixture
def queue(workspace, mastodon):
    queue = PostQueueFactory(workspace=workspace, name="Weekdays", posting_schedule={d: ["09:00", "15:00"] for d in ("monday", "tuesday", "wednesday", "thursday", "friday")}, timezone="Europe/Berlin")
    queue.target_accounts.add(mastodon)
    return queue


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def viewer_api(db, workspace):
    user = UserFactory()
    MembershipFactory(user=user, workspace=workspace, role=Membership.Role.VIEWER)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}", HTTP_X_WORKSPACE=str(workspace.pk))
    return client


@pytest.fixture
def eager_celery():
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def csv_bytes(rows, columns=None):
    columns = columns or list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
