from datetime import timedelta

import pytest
from django.utils import timezone

from social_media.models import Status
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory


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


def due_target(account, content="Hello, world", *, at=None, dispatched=True):
    """A scheduled target due at `at` (default now), as dispatch leaves it."""
    at = at or timezone.now()
    post = PostFactory(workspace=account.workspace, content=content, status=Status.SCHEDULED, scheduled_time=at)
    return PostTargetFactory(
        post=post, account=account, status=Status.SCHEDULED, next_attempt_at=at,
        dispatched_at=at - timedelta(seconds=5) if dispatched else None,
    )
