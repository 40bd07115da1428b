"""Account-level snapshots (followers, following, posts once a day) read through each adapter from the
local servers: mastodon-mock and the Mastodon fake, the X and Reddit fakes, the Bluesky reference PDS
(which has no AppView here: said, and skipped), LinkedIn members (no figures offered: said, no request);
the metrics bucket of the per-account limiter; failures recorded without stopping the sweep."""

from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from analytics.collectors import collect_account_metrics, collect_due_account_metrics, due_accounts
from analytics.models import AccountSnapshot, CollectionFailure
from social_media.platforms.base import RateLimited
from social_media.services import ratelimit
from tests.factories import ConnectedAccountFactory
from tests.platforms.conftest_x import make_x_account
from tests.platforms.test_mastodon_contract import connect as connect_mock

pytestmark = pytest.mark.django_db(transaction=True)


def test_mastodon_fake_followers_become_a_daily_snapshot_that_grows(mastodon_account, mastodon_fake):
    mastodon_fake.set_audience(mastodon_account.platform_user_id, followers_count=120, following_count=7, statuses_count=33)
    day1 = timezone.now() - timedelta(days=1)

    first = collect_account_metrics(account_id=mastodon_account.id, now=day1)

    assert (first.followers, first.following, first.posts) == (120, 7, 33)
    assert first.day == day1.date()
    mastodon_fake.set_audience(mastodon_account.platform_user_id, followers_count=150)
    collect_account_metrics(account_id=mastodon_account.id)
    collect_account_metrics(account_id=mastodon_account.id)  # same day again: the day's row is updated
    rows = list(AccountSnapshot.objects.filter(account=mastodon_account).values_list("followers", flat=True))
    assert rows == [120, 150]
    reads = [r for r in mastodon_fake.requests if r.path == "/api/v1/accounts/verify_credentials"]
    assert len(reads) == 3


@pytest.mark.network
def test_mastodon_mock_counts_a_real_follow(mastodon_mock):
    alice, bob = mastodon_mock.new_user(), mastodon_mock.new_user()
    account = connect_mock(mastodon_mock, alice)
    before = collect_account_metrics(account_id=account.id)
    assert before.followers == 0 and before.posts is not None

    followed = requests.post(f"{mastodon_mock.base_url}/api/v1/accounts/{alice.id}/follow",
                             headers={"Authorization": f"Bearer {bob.token}"}, timeout=10)
    assert followed.status_code == 200, followed.text
    after = collect_account_metrics(account_id=account.id)

    assert after.pk == before.pk and after.followers == 1
    assert after.extra["followers_count"] == 1


def test_x_public_metrics(x_settings, x_fake):
    account = make_x_account(x_fake)
    x_fake.users[account.platform_user_id].public_metrics.update(followers_count=4200, following_count=12, tweet_count=977)

    snapshot = collect_account_metrics(account_id=account.id)

    assert (snapshot.followers, snapshot.following, snapshot.posts) == (4200, 12, 977)
    (read,) = [r for r in x_fake.requests_to("/2/users/me") if "public_metrics" in r.query.get("user.fields", "")]
    assert read.method == "GET"


def test_reddit_karma(reddit_account, reddit_fake):
    snapshot = collect_account_metrics(account_id=reddit_account.id)

    # The fake's recorded /api/v1/me answer: link_karma 1, comment_karma 0; no follower count.
    assert snapshot.followers is None
    assert snapshot.extra["link_karma"] == 1 and snapshot.extra["comment_karma"] == 0


@pytest.mark.network
def test_a_bluesky_pds_without_an_appview_is_said_and_skipped(connect_bluesky):
    account = connect_bluesky()

    assert collect_account_metrics(account_id=account.id) is None

    assert not AccountSnapshot.objects.filter(account=account).exists()
    failure = CollectionFailure.objects.get(account=account, kind="account")
    assert failure.error_class == "AccountMetricsUnavailable" and "AppView" in failure.message
    account.refresh_from_db()
    assert not account.needs_reconnect


def test_a_linkedin_member_has_no_figures_and_nothing_is_asked(db):
    account = ConnectedAccountFactory(platform="linkedin", platform_user_id="urn:li:person:abc", access_token="t")

    assert collect_account_metrics(account_id=account.id) is None

    failure = CollectionFailure.objects.get(account=account)
    assert failure.error_class == "AccountMetricsUnavailable" and "member" in failure.message


def test_a_failure_is_recorded_and_the_sweep_goes_on(mastodon_fake):
    good_remote, good_token = mastodon_fake.add_account("good")
    bad_remote, bad_token = mastodon_fake.add_account("bad")
    mastodon_fake.set_audience(good_remote["id"], followers_count=9)
    bad = ConnectedAccountFactory(platform="mastodon", platform_user_id=bad_remote["id"], access_token=bad_token,
                                  instance_url=mastodon_fake.base_url, refresh_token="")
    good = ConnectedAccountFactory(platform="mastodon", platform_user_id=good_remote["id"], access_token=good_token,
                                   instance_url=mastodon_fake.base_url, refresh_token="")
    mastodon_fake.fail_next("500", method="GET", path="/api/v1/accounts/verify_credentials")
    assert due_accounts() == [bad.id, good.id]

    collected = collect_due_account_metrics(inline=True)

    assert collected == 1
    assert AccountSnapshot.objects.get(account=good).followers == 9
    failure = CollectionFailure.objects.get(account=bad)
    assert failure.error_class == "TransientError" and failure.http_status == 500
    assert due_accounts() == [bad.id]
    collect_due_account_metrics(inline=True)  # the next pass reads it, and the failure is cleared
    assert due_accounts() == [] and not CollectionFailure.objects.filter(account=bad).exists()


def test_reads_wait_for_the_accounts_metrics_bucket_not_the_posting_one(mastodon_account, mastodon_fake, settings):
    capacity, per_seconds = 60, 15 * 60
    for _ in range(capacity):
        assert ratelimit.take(account_id=mastodon_account.id, capacity=capacity, per_seconds=per_seconds, scope="metrics") == 0

    with pytest.raises(RateLimited) as raised:
        collect_account_metrics(account_id=mastodon_account.id)

    assert raised.value.retry_after > 0
    assert not [r for r in mastodon_fake.requests if r.path == "/api/v1/accounts/verify_credentials"]
    assert not AccountSnapshot.objects.exists()
    # publishing's bucket of the same account is untouched
    assert ratelimit.take(account_id=mastodon_account.id, capacity=300, per_seconds=3 * 3600) == 0


def test_threads_followers_from_user_insights(threads_account, threads_fake):
    threads_account.remote.followers_count = 321

    snapshot = collect_account_metrics(account_id=threads_account.id)

    assert (snapshot.followers, snapshot.following, snapshot.posts) == (321, None, None)
    assert snapshot.extra == {"followers_count": 321}


def test_the_command_reads_the_accounts_and_prints_a_summary(mastodon_account, mastodon_fake):
    from io import StringIO

    from django.core.management import call_command

    mastodon_fake.set_audience(mastodon_account.platform_user_id, followers_count=12)
    out = StringIO()

    call_command("collect_metrics", "--accounts", stdout=out)

    assert out.getvalue().strip() == "read the followers of 1 account"
    assert AccountSnapshot.objects.get(account=mastodon_account).followers == 12


def test_a_facebook_pages_followers(facebook_account, meta_fake):
    meta_fake.pages[facebook_account.platform_user_id].update(followers_count=1500, fan_count=1400)

    snapshot = collect_account_metrics(account_id=facebook_account.id)

    assert (snapshot.followers, snapshot.following, snapshot.posts) == (1500, None, None)
    assert snapshot.extra == {"followers_count": 1500, "fan_count": 1400}


def test_an_instagram_accounts_followers_follows_and_media(instagram_account, meta_fake):
    meta_fake.instagram[instagram_account.platform_user_id].update(followers_count=880, follows_count=75, media_count=42)

    snapshot = collect_account_metrics(account_id=instagram_account.id)

    assert (snapshot.followers, snapshot.following, snapshot.posts) == (880, 75, 42)


def test_a_linkedin_organizations_followers(linkedin_page_account, linkedin_fake):
    organization = linkedin_fake.organizations[linkedin_page_account.platform_user_id.rsplit(":", 1)[-1]]
    organization.followers = 2048

    snapshot = collect_account_metrics(account_id=linkedin_page_account.id)

    assert snapshot.followers == 2048 and snapshot.extra == {"firstDegreeSize": 2048}
    (read,) = [r for r in linkedin_fake.requests if r.path.startswith("/rest/networkSizes/")]
    assert read.query == {"edgeType": "COMPANY_FOLLOWED_BY_MEMBER"}


def test_the_hourly_pass_hands_accounts_to_an_analytics_worker(mastodon_account, mastodon_fake):
    from tests.engine.processes import celery_processes, wait_until

    mastodon_fake.set_audience(mastodon_account.platform_user_id, followers_count=77)

    with celery_processes(beat=False, queues="analytics", concurrency=2):
        assert collect_due_account_metrics() == 1
        assert collect_due_account_metrics() == 0  # already handed out this hour
        wait_until(lambda: AccountSnapshot.objects.filter(account=mastodon_account).exists(), timeout=30)

    assert AccountSnapshot.objects.get(account=mastodon_account).followers == 77
    assert due_accounts() == []
