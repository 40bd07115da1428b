"""0002 copies existing snapshots' JSON into the typed columns and the targets' workspace, account,
network and posting time onto existing PostAnalytics rows."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE, AFTER = ("analytics", "0001_initial"), ("analytics", "0002_typed_metrics_account_snapshots")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def test_existing_rows_are_carried_over():
    from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory

    account = ConnectedAccountFactory(platform="mastodon")
    posted_at = timezone.now().replace(microsecond=0)
    target = PostTargetFactory(post=PostFactory(workspace=account.workspace, posted_at=posted_at), account=account,
                               status="posted", posted_at=posted_at)
    try:
        old = migrate(BEFORE)
        old.get_model("analytics", "PostAnalytics").objects.create(target_id=target.id, likes=3, reposts=2, replies=1, clicks=4)
        old.get_model("analytics", "AnalyticsSnapshot").objects.create(
            target_id=target.id, snapshot_data={"likes": 3, "impressions": 50, "raw": {"favourites_count": 3, "bookmarks": 2}})

        new = migrate(AFTER)
        snapshot = new.get_model("analytics", "AnalyticsSnapshot").objects.get(target_id=target.id)
        assert (snapshot.likes, snapshot.impressions, snapshot.reposts) == (3, 50, 0)
        assert snapshot.extra == {"favourites_count": 3, "bookmarks": 2}
        row = new.get_model("analytics", "PostAnalytics").objects.get(target_id=target.id)
        assert (row.workspace_id, row.account_id, row.platform, row.posted_at) == (account.workspace_id, account.id, "mastodon", posted_at)
        assert row.engagement_total == 3 + 2 + 1 + 4
    finally:
        migrate(AFTER)
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
