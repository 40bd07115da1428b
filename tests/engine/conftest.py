from datetime import timedelta

import pytest
from django.utils import timezone

from social_media.models import Status
from tests.factories import PostFactory, PostTargetFactory, UserFactory


@pytest.fixture
def staff_client(client):
    """A Django test client logged in to the admin as a superuser."""
    staff = UserFactory()
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    return client


def due_target(account, content="Hello, world", *, at=None, dispatched=True):
    """A scheduled target due at `at` (default now), as dispatch leaves it."""
    at = at or timezone.now()
    post = PostFactory(workspace=account.workspace, content=content, status=Status.SCHEDULED, scheduled_time=at)
    return PostTargetFactory(
        post=post, account=account, status=Status.SCHEDULED, next_attempt_at=at,
        dispatched_at=at - timedelta(seconds=5) if dispatched else None,
    )
