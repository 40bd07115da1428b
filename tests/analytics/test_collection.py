"""Collecting engagement metrics: posts published for real through the engine to the Mastodon and X
fakes, then read back from them into PostAnalytics and AnalyticsSnapshot."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from analytics.collectors import collect_due_metrics, collect_target_metrics, due_for_collection
from analytics.models import AnalyticsSnapshot, PostAnalytics
from analytics.tasks import collect_target_metrics_task
from social_media.models import ConnectedAccount, PostTarget, Status
from social_media.platforms import PlatformFactory
from social_media.platforms.base import RateLimited
from social_media.services.publishing import target_publish
from tests.engine.conftest import due_target
from tests.engine.processes import celery_processes, wait_until
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory
from tests.platforms.conftest_x import make_x_account

pytestmark = pytest.mark.django_db(transaction=True)

STATUS_PATH = "/api/v1/statuses/"


def published(account, content="Count me"):
    """A target the engine published to the account's network (posted_at: now)."""
    target = due_target(account, content)
    assert target_publish(target_id=target.id).status == Status.POSTED
    target.refresh_from_db()
    return target


def posted_ago(target, age):
    PostTarget.objects.filter(id=target.id).update(posted_at=timezone.now() - age)


def metrics_reads(fake, target):
    return [r for r in fake.requests if r.method == "GET" and r.path == f"{STATUS_PATH}{target.platform_post_id}"]


# --- one target -----------------------------------------------------------------------------------
def test_it_stores_the_figures_mastodon_reports_and_one_snapshot(mastodon_account, mastodon_fake):
    target = published(mastodon_account)
    mastodon_fake.set_counts(target.platform_post_id, favourites=3, reblogs=1, replies=2)

    analytics = collect_target_metrics(target_id=target.id)

    row = PostAnalytics.objects.get(target=target)
    assert analytics == row
    assert (row.likes, row.reposts, row.replies, row.impressions, row.clicks) == (3, 1, 2, 0, 0)
    assert row.platform_metrics == {"favourites_count": 3, "reblogs_count": 1, "replies_count": 2, "quotes_count": 0}
    (snapshot,) = AnalyticsSnapshot.objects.filter(target=target)
    figures = ("likes", "reposts", "replies", "quotes", "impressions", "clicks", "saves", "views")
    assert {name: getattr(snapshot, name) for name in figures} == {
        "likes": 3, "reposts": 1, "replies": 2, "quotes": 0, "impressions": 0, "clicks": 0, "saves": 0, "views": 0,
    }
    assert snapshot.extra == row.platform_metrics
    assert (row.workspace_id, row.account_id, row.platform, row.posted_at) == (
        target.post.workspace_id, mastodon_account.id, "mastodon", target.posted_at)
    assert row.engagement_total == 6


def test_a_second_collection_updates_the_figures_and_adds_a_snapshot(mastodon_account, mastodon_fake):
    target = published(mastodon_account)
    mastodon_fake.set_counts(target.platform_post_id, favourites=3, reblogs=1, replies=2)
    collect_target_metrics(target_id=target.id)
    first = PostAnalytics.objects.get(target=target).updated_at
    mastodon_fake.set_counts(target.platform_post_id, favourites=10, reblogs=4, replies=5)

    collect_target_metrics(target_id=target.id)

    row = PostAnalytics.objects.get(target=target)
    assert (row.likes, row.reposts, row.replies) == (10, 4, 5) and row.updated_at > first
    assert [s.likes for s in AnalyticsSnapshot.objects.filter(target=target)] == [3, 10]
    assert PostAnalytics.objects.count() == 1


def test_it_reads_x_public_metrics(x_settings, x_fake):
    account = make_x_account(x_fake)
    target = published(account, "Count me on X")
    x_fake.set_metrics(target.platform_post_id, like_count=7, retweet_count=2, repost_count=2, reply_count=1, impression_count=120)

    collect_target_metrics(target_id=target.id)

    row = PostAnalytics.objects.get(target=target)
    assert (row.likes, row.reposts, row.replies, row.impressions, row.clicks) == (7, 2, 1, 120, 0)
    assert row.platform_metrics["impression_count"] == 120
    assert AnalyticsSnapshot.objects.get(target=target).impressions == 120


def test_it_refreshes_an_expired_x_token_once_and_reads_again(x_settings, x_fake):
    account = make_x_account(x_fake)
    target = published(account, "Expired token")
    old_token = account.access_token
    x_fake.set_metrics(target.platform_post_id, like_count=4)
    x_fake.expire(old_token)

    collect_target_metrics(target_id=target.id)

    account.refresh_from_db()
    assert account.access_token != old_token and not account.needs_reconnect
    assert PostAnalytics.objects.get(target=target).likes == 4
    assert len(x_fake.requests_to("/2/oauth2/token", method="POST")) == 1


def test_a_429_writes_nothing_and_propagates(mastodon_account, mastodon_fake):
    target = published(mastodon_account)
    mastodon_fake.fail_next("429", method="GET", path=STATUS_PATH, reset_in=60)

    with pytest.raises(RateLimited):
        collect_target_metrics(target_id=target.id)

    assert not PostAnalytics.objects.exists() and not AnalyticsSnapshot.objects.exists()


def test_the_task_retries_after_a_429(mastodon_account, mastodon_fake):
    target = published(mastodon_account)
    mastodon_fake.set_counts(target.platform_post_id, favourites=2)
    mastodon_fake.fail_next("429", method="GET", path=STATUS_PATH, reset_in=60)

    collect_target_metrics_task.apply(args=[target.id])  # eager: the retry runs at once

    assert len(metrics_reads(mastodon_fake, target)) == 2
    assert PostAnalytics.objects.get(target=target).likes == 2
    assert AnalyticsSnapshot.objects.filter(target=target).count() == 1


def test_a_revoked_token_marks_the_account_for_reconnection_and_writes_nothing(mastodon_account, mastodon_fake):
    target = published(mastodon_account)
    mastodon_fake.revoke(mastodon_account.access_token)

    assert collect_target_metrics(target_id=target.id) is None

    account = ConnectedAccount.objects.get(id=mastodon_account.id)
    assert account.needs_reconnect and "revoked" in account.last_error
    assert not PostAnalytics.objects.exists() and not AnalyticsSnapshot.objects.exists()
    posted_ago(target, timedelta(hours=2))
    assert due_for_collection() == []  # nor is it asked again until the account is reconnected


def test_a_post_deleted_on_the_network_records_nothing(mastodon_account, mastodon_fake):
    target = published(mastodon_account)
    PlatformFactory.get_platform(mastodon_account).delete(target.platform_post_id)

    assert collect_target_metrics(target_id=target.id) is None

    assert not PostAnalytics.objects.exists() and not AnalyticsSnapshot.objects.exists()
    assert not ConnectedAccount.objects.get(id=mastodon_account.id).needs_reconnect


def test_it_asks_nothing_for_an_unposted_target_or_a_disconnected_account(mastodon_account, mastodon_fake):
    scheduled = due_target(mastodon_account, "Not yet")
    target = published(mastodon_account)
    ConnectedAccount.objects.filter(id=mastodon_account.id).update(needs_reconnect=True)
    before = len(mastodon_fake.requests)

    assert collect_target_metrics(target_id=scheduled.id) is None
    assert collect_target_metrics(target_id=target.id) is None

    assert len(mastodon_fake.requests) == before and not PostAnalytics.objects.exists()


# --- the schedule ---------------------------------------------------------------------------------
def posted_target(account, age, *, collected_ago=None, status=Status.POSTED):
    posted_at = timezone.now() - age
    post = PostFactory(workspace=account.workspace, status=status, posted_at=posted_at)
    target = PostTargetFactory(post=post, account=account, status=status, posted_at=posted_at, platform_post_id=f"p{post.pk}")
    if collected_ago is not None:
        PostAnalytics.objects.create(target=target)
        PostAnalytics.objects.filter(target=target).update(updated_at=timezone.now() - collected_ago)
    return target


def test_due_for_collection_follows_the_checkpoints(django_assert_num_queries):
    account = ConnectedAccountFactory()
    hours, days = (lambda n: timedelta(hours=n)), (lambda n: timedelta(days=n))
    due = {
        posted_target(account, hours(2)).id,  # 1 h checkpoint passed, never collected
        posted_target(account, hours(7), collected_ago=hours(2)).id,  # collected before the 6 h checkpoint
        posted_target(account, hours(30), collected_ago=hours(20)).id,  # before the 1 d one
        posted_target(account, days(7) + hours(12), collected_ago=days(1)).id,  # before the 7 d one
        posted_target(account, days(9)).id,  # past 7 d, never collected
        posted_target(account, days(22), collected_ago=days(6)).id,  # weekly: collected on day 16, the 21 d one passed
        posted_target(account, days(90) + hours(2), collected_ago=days(5)).id,  # the last one, 90 d
    }
    posted_target(account, timedelta(minutes=30))  # no checkpoint yet
    posted_target(account, hours(2), collected_ago=timedelta(minutes=30))  # collected after the 1 h checkpoint
    posted_target(account, hours(5), collected_ago=hours(3))  # next checkpoint (6 h) not reached
    posted_target(account, days(7) + hours(12), collected_ago=hours(6))  # collected after the 7 d one
    posted_target(account, days(20), collected_ago=days(5))  # collected on day 15, after the 14 d one
    posted_target(account, days(89), collected_ago=days(4))  # collected on day 85, after the 84 d one
    posted_target(account, days(92))  # 90 days are over: never collected again
    posted_target(account, hours(2), status=Status.FAILED)
    posted_target(ConnectedAccountFactory(needs_reconnect=True), hours(2))
    posted_target(ConnectedAccountFactory(is_active=False), hours(2))

    with django_assert_num_queries(1):
        assert set(due_for_collection()) == due
    for _ in range(20):
        posted_target(account, hours(3))
    with django_assert_num_queries(1):
        assert len(due_for_collection()) == 27
    assert len(due_for_collection(limit=5)) == 5


def test_due_targets_are_enqueued_once_and_collected_by_an_analytics_worker(mastodon_account, mastodon_fake):
    target = published(mastodon_account)
    mastodon_fake.set_counts(target.platform_post_id, favourites=6, reblogs=2)
    posted_ago(target, timedelta(hours=2))

    with celery_processes(beat=False, queues="analytics", concurrency=2):
        assert collect_due_metrics() == 1
        assert collect_due_metrics() == 0  # already handed to the queue for this checkpoint
        wait_until(lambda: PostAnalytics.objects.filter(target=target).exists(), timeout=30)

    assert PostAnalytics.objects.get(target=target).likes == 6
    assert AnalyticsSnapshot.objects.filter(target=target).count() == 1
    assert due_for_collection() == []


# --- command and API ------------------------------------------------------------------------------
def test_the_command_collects_the_due_targets_and_prints_a_summary(mastodon_account, mastodon_fake):
    target = published(mastodon_account)
    published(mastodon_account, "Too fresh")
    mastodon_fake.set_counts(target.platform_post_id, favourites=5)
    posted_ago(target, timedelta(hours=2))
    out = StringIO()

    call_command("collect_metrics", stdout=out)

    assert out.getvalue().strip() == "collected metrics of 1 due target"
    assert PostAnalytics.objects.get(target=target).likes == 5
    out = StringIO()
    call_command("collect_metrics", "--target", str(target.id), stdout=out)
    assert out.getvalue().strip() == f"target {target.id}: likes 5, reposts 0, replies 0, impressions 0, clicks 0"
    assert AnalyticsSnapshot.objects.filter(target=target).count() == 2


@pytest.mark.parametrize("limit", ["0", "-1"])
def test_the_command_refuses_a_limit_below_one(limit):
    """A negative --limit reached a queryset slice and crashed with a traceback."""
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--limit must be at least 1"):
        call_command("collect_metrics", "--limit", limit, stdout=StringIO())


def test_the_api_shows_the_collected_figures(auth_api, mastodon_fake):
    remote, token = mastodon_fake.add_account("bob")
    account = ConnectedAccountFactory(
        workspace=auth_api.user.personal_workspace, platform="mastodon", platform_user_id=remote["id"],
        platform_username="bob", access_token=token, refresh_token="", instance_url=mastodon_fake.base_url,
    )
    target = published(account, "Seen by many")
    mastodon_fake.set_counts(target.platform_post_id, favourites=8, reblogs=3, replies=1)
    collect_target_metrics(target_id=target.id)

    body = auth_api.get(f"/api/v1/analytics/posts/{target.post_id}/").json()

    assert body["totals"] == {"likes": 8, "reposts": 3, "replies": 1, "impressions": 0, "clicks": 0}
    (item,) = body["targets"]
    assert item["id"] == target.id and item["metrics"]["likes"] == 8
    assert item["metrics"]["platform_metrics"]["reblogs_count"] == 3
