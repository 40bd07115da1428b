"""How the Bluesky adapter behaves when the network misbehaves: faults injected by a proxy in front of
the reference PDS, which still holds the real state."""

import pytest

from social_media.platforms import PlatformFactory
from social_media.platforms.base import AccountDisconnected, OutcomeUnknown, RateLimited, TransientError
from social_media.platforms.bluesky.session import record_key
from tests.factories import PostFactory, PostTargetFactory

pytestmark = [pytest.mark.network, pytest.mark.django_db]

CREATE = "com.atproto.repo.createRecord"
GET = "com.atproto.repo.getRecord"


@pytest.fixture
def account(connect_bluesky, bluesky_proxy):
    return connect_bluesky(via=bluesky_proxy.base_url)


@pytest.fixture
def publish(account):
    def publish(content="Through the proxy", target=None):
        target = target or PostTargetFactory(post=PostFactory(workspace=account.workspace, content=content), account=account)
        return target, PlatformFactory.get_platform(account).publish(target, target.content, [])

    return publish


def posts(bluesky_pds, account):
    return bluesky_pds.list_posts(account.platform_user_id)


def test_it_raises_rate_limited_with_retry_after_on_429(account, bluesky_proxy, bluesky_pds, publish):
    bluesky_proxy.fail_next("429", nsid=CREATE, retry_after=7)
    with pytest.raises(RateLimited) as caught:
        publish()
    assert caught.value.retry_after == 7
    assert caught.value.http_status == 429
    assert posts(bluesky_pds, account) == []


def test_it_reads_retry_after_from_the_ratelimit_reset_header(bluesky_proxy, publish):
    bluesky_proxy.fail_next("429", nsid=CREATE, retry_after=None, reset_in=30)
    with pytest.raises(RateLimited) as caught:
        publish()
    assert 25 <= caught.value.retry_after <= 31


def test_it_raises_transient_error_on_500_and_a_retry_publishes_once(account, bluesky_proxy, bluesky_pds, publish):
    bluesky_proxy.fail_next("500", nsid=CREATE)
    target = PostTargetFactory(post=PostFactory(workspace=account.workspace, content="Second time lucky"), account=account)
    with pytest.raises(TransientError) as caught:
        publish(target=target)
    assert caught.value.http_status == 500
    assert posts(bluesky_pds, account) == []

    _, result = publish(target=target)
    assert [record["uri"] for record in posts(bluesky_pds, account)] == [result.platform_post_id]
    rkeys = {call.body["rkey"] for call in bluesky_proxy.calls(CREATE)}
    assert rkeys == {record_key(target)}  # both attempts wrote to the same record key


def test_it_returns_the_stored_post_when_the_answer_times_out(account, bluesky_proxy, bluesky_pds, publish, settings):
    settings.BLUESKY_TIMEOUT_SECONDS = 1
    bluesky_proxy.fail_next("timeout", nsid=CREATE, delay=2.5)
    target, result = publish("Slow network")

    assert result.platform_post_id.endswith(f"/app.bsky.feed.post/{record_key(target)}")
    assert [record["value"]["text"] for record in posts(bluesky_pds, account)] == ["Slow network"]
    assert [call.nsid for call in bluesky_proxy.requests][-2:] == [CREATE, GET]


def test_it_returns_the_stored_post_when_the_connection_drops_after_sending(account, bluesky_proxy, bluesky_pds, publish):
    bluesky_proxy.fail_next("drop", nsid=CREATE)
    _, result = publish("Dropped answer")
    assert [record["uri"] for record in posts(bluesky_pds, account)] == [result.platform_post_id]
    assert bluesky_proxy.calls(CREATE)[0].status is None


def test_it_raises_outcome_unknown_when_the_connection_drops_and_nothing_landed(account, bluesky_proxy, bluesky_pds):
    bluesky_proxy.fail_next("drop_before", nsid=CREATE)
    target = PostTargetFactory(post=PostFactory(workspace=account.workspace, content="Lost on the way"), account=account)
    adapter = PlatformFactory.get_platform(account)
    with pytest.raises(OutcomeUnknown):
        adapter.publish(target, target.content, [])

    assert adapter.reconcile(target).not_found is True
    result = adapter.publish(target, target.content, [])
    assert [record["uri"] for record in posts(bluesky_pds, account)] == [result.platform_post_id]


def test_it_leaves_reconcile_unknown_when_the_pds_fails(account, bluesky_proxy, publish):
    target, _ = publish("Landed")
    bluesky_proxy.fail_next("500", nsid=GET)
    answer = PlatformFactory.get_platform(account).reconcile(target)
    assert answer.found is None and answer.not_found is False


def test_it_sends_the_record_with_the_derived_key_and_no_token_in_the_body(account, bluesky_proxy, publish):
    target, _ = publish("Inspect me")
    (call,) = bluesky_proxy.calls(CREATE)
    assert call.authorized
    assert call.body["repo"] == account.platform_user_id
    assert call.body["collection"] == "app.bsky.feed.post"
    assert call.body["rkey"] == record_key(target)
    assert call.body["record"]["text"] == "Inspect me"
    assert call.body["record"]["createdAt"].endswith("Z")
    assert account.access_token not in str(call.body)


def test_it_keeps_the_account_connected_when_a_refresh_fails_transiently(account, bluesky_proxy):
    bluesky_proxy.fail_next("500", nsid="com.atproto.server.refreshSession")
    with pytest.raises(TransientError):
        PlatformFactory.get_platform(account).refresh_access_token()
    assert PlatformFactory.get_platform(account).refresh_access_token().refresh_token


def test_it_disconnects_when_the_refresh_token_has_expired(account, bluesky_proxy):
    bluesky_proxy.fail_next("expired_token", nsid="com.atproto.server.refreshSession")
    with pytest.raises(AccountDisconnected):
        PlatformFactory.get_platform(account).refresh_access_token()


def test_it_reads_metrics_from_an_appview_answer(account, bluesky_proxy, publish):
    _, result = publish("Popular")
    bluesky_proxy.respond_next("app.bsky.feed.getPosts", 200, {"posts": [{
        "uri": result.platform_post_id,
        "cid": "bafyreiesse35lgpc56puv546slpi6jwwjbbkicabozjj4vvlwjmhrp7sfa",
        "author": {"did": account.platform_user_id, "handle": account.platform_username},
        "record": {"$type": "app.bsky.feed.post", "text": "Popular", "createdAt": "2026-01-01T00:00:00.000Z"},
        "indexedAt": "2026-01-01T00:00:01.000Z",
        "likeCount": 12, "repostCount": 3, "replyCount": 2, "quoteCount": 1,
    }]})
    metrics = PlatformFactory.get_platform(account).fetch_metrics(result.platform_post_id)
    assert (metrics.likes, metrics.reposts, metrics.replies) == (12, 3, 2)
    assert metrics.raw["quotes"] == 1
    (call,) = bluesky_proxy.calls("app.bsky.feed.getPosts")
    assert call.params == {"uris": result.platform_post_id} and call.authorized
