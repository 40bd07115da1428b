"""Posts with targets, metrics and snapshots for the analytics API tests."""

import pytest
from django.utils import timezone

from analytics.models import AnalyticsSnapshot, PostAnalytics
from social_media.models import Status
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory

NOW = timezone.now()


def published_post(workspace, accounts, *, posted_at=NOW, metrics=(), statuses=()):
    """A post with one target per account; metrics[i] (a dict) becomes target i's PostAnalytics."""
    post = PostFactory(workspace=workspace, status=Status.POSTED, posted_at=posted_at)
    targets = []
    for i, account in enumerate(accounts):
        status = statuses[i] if i < len(statuses) else Status.POSTED
        target = PostTargetFactory(post=post, account=account, status=status, posted_at=posted_at if status == Status.POSTED else None)
        if i < len(metrics) and metrics[i] is not None:
            PostAnalytics.objects.create(target=target, **metrics[i])
        targets.append(target)
    return post, targets


def snapshot(target, at, **data):
    row = AnalyticsSnapshot.objects.create(target=target, snapshot_data=data)
    AnalyticsSnapshot.objects.filter(pk=row.pk).update(captured_at=at)
    return row


@pytest.fixture
def accounts(workspace):
    return {
        platform: ConnectedAccountFactory(workspace=workspace, platform=platform, platform_username=f"me_{platform}")
        for platform in ("x", "bluesky", "mastodon")
    }
