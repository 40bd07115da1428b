"""Reddit adapter: the real praw against the Reddit fake. Contract, post kinds, subreddit refusals
mapped by error type, rate limits with the stated wait, no duplicate after a 5xx, metrics, delete."""

import pytest
from django.utils import timezone

from social_media.platforms import PlatformFactory
from social_media.platforms.base import AccountDisconnected, InvalidContent, OutcomeUnknown, RateLimited
from tests.factories import PostFactory, PostTargetFactory
from tests.platforms.contract import AdapterContract
from tests.platforms.threads_helpers import TINY_JPEG, media_item

pytestmark = pytest.mark.network

SETTINGS = {"subreddit": "scheduler_test", "title": "A title"}


class RedditRemote:
    def __init__(self, fake, user):
        self.fake, self.user = fake, user

    def get_text(self, platform_post_id):
        post = self.fake.post(platform_post_id)
        return None if post is None or post.deleted else post.selftext

    def count_posts(self):
        return len([p for p in self.fake.posts if p.author == self.user.name])


def target_for(account, content="Hello Reddit", **settings):
    post = PostFactory(workspace=account.workspace, content=content)
    return PostTargetFactory(post=post, account=account, claimed_at=timezone.now(),
                             platform_specific_settings={**SETTINGS, **settings})


class TestRedditContract(AdapterContract):
    too_long_text = "x" * 40_001

    def make_target(self, account, content):
        return target_for(account, content, title=f"Title for {content[:20]}")

    @pytest.fixture
    def account(self, reddit_account):
        return reddit_account

    @pytest.fixture
    def remote(self, reddit_fake, reddit_account):
        return RedditRemote(reddit_fake, reddit_account.remote)


pytestmark = [pytest.mark.network, pytest.mark.django_db(transaction=True)]


def publish(account, content="Hello Reddit", media=(), **settings):
    adapter = PlatformFactory.get_platform(account)
    target = target_for(account, content, **settings)
    return adapter, target, adapter.publish(target, content, list(media))


def test_a_self_post_carries_title_flair_and_a_descriptive_user_agent(reddit_account, reddit_fake):
    _adapter, _target, result = publish(reddit_account, "Body **markdown**", flair_id="f-news")
    post = reddit_fake.post(result.platform_post_id)
    assert (post.kind, post.subreddit, post.title, post.selftext, post.flair_text) == ("self", "scheduler_test", "A title", "Body **markdown**", "News")
    submit = reddit_fake.requests_to("/api/submit/", "POST")[0]
    assert submit.headers["user-agent"].startswith("test:reddit-app:1.0 (by /u/scheduler-tests)")
    assert result.url == f"{reddit_fake.base_url}/comments/{post.id}/"


def test_text_that_is_one_url_becomes_a_link_post(reddit_account, reddit_fake):
    _a, _t, result = publish(reddit_account, "https://example.com/article")
    post = reddit_fake.post(result.platform_post_id)
    assert post.kind == "link" and post.url == "https://example.com/article" and post.selftext == ""


def test_a_url_setting_makes_a_link_post_with_the_text_as_body(reddit_account, reddit_fake):
    _a, _t, result = publish(reddit_account, "Worth reading", url="https://example.com/a")
    post = reddit_fake.post(result.platform_post_id)
    assert (post.kind, post.url, post.selftext) == ("link", "https://example.com/a", "Worth reading")


def test_an_image_post_uploads_to_the_lease_and_is_found_without_websockets(reddit_account, reddit_fake):
    _a, _t, result = publish(reddit_account, "", [media_item(TINY_JPEG)], title="A picture")
    post = reddit_fake.post(result.platform_post_id)
    assert post.kind == "image" and post.title == "A picture"
    (upload,) = reddit_fake.uploads.values()
    assert upload["data"] == TINY_JPEG and upload["content_type"] == "image/jpeg"
    lease = reddit_fake.requests_to("/api/media/asset.json", "POST")[0]
    assert lease.form["mimetype"] == "image/jpeg"


@pytest.mark.parametrize(
    ("rules", "options", "expected"),
    [
        ({"restricted": True}, {}, "not allowed to post in this subreddit (SUBREDDIT_NOTALLOWED)"),
        ({"banned": {"alice"}}, {}, "banned from the subreddit (BANNED_FROM_SUBREDDIT)"),
        ({"flair_required": True, "flairs": {"f1": "News"}}, {}, "requires post flair: set flair_id"),
        ({"flairs": {"f1": "News"}}, {"flair_id": "nope"}, "BAD_FLAIR_TEMPLATE_ID"),
        ({"allow_self": False}, {}, "does not allow text posts (NO_SELFS)"),
    ],
)
def test_subreddit_refusals_are_invalid_content_naming_the_rule(reddit_account, reddit_fake, rules, options, expected):
    reddit_fake.add_subreddit("strict_sub", **rules)
    with pytest.raises(InvalidContent) as caught:
        publish(reddit_account, subreddit="strict_sub", **options)
    assert expected in caught.value.message
    assert reddit_fake.posts == []


def test_a_missing_subreddit_is_invalid_content(reddit_account, reddit_fake):
    with pytest.raises(InvalidContent, match="does not exist"):
        publish(reddit_account, subreddit="no_such_sub")


def test_ratelimit_becomes_rate_limited_with_the_wait_reddit_states(reddit_account, reddit_fake):
    reddit_fake.ratelimit_minutes = 5
    with pytest.raises(RateLimited) as caught:
        publish(reddit_account)
    assert caught.value.retry_after == 300 and "try again in 5 minutes" in caught.value.message
    assert reddit_fake.posts == []


def test_a_5xx_after_the_submission_was_stored_is_sent_once_and_reconciled(reddit_account, reddit_fake):
    reddit_fake.fail_next("after_store", path="/api/submit/", method="POST", status=502)
    adapter = PlatformFactory.get_platform(reddit_account)
    target = target_for(reddit_account, "Landed anyway", title="Landed")
    with pytest.raises(OutcomeUnknown):
        adapter.publish(target, target.content, [])
    assert len(reddit_fake.requests_to("/api/submit/", "POST")) == 1  # prawcore's own retry is off for submit
    found = adapter.reconcile(target).found
    assert found is not None and [p.id for p in reddit_fake.posts] == [found.platform_post_id]


def test_reconcile_says_not_found_when_the_recent_submissions_hold_no_match(reddit_account, reddit_fake):
    publish(reddit_account, title="Something else")
    adapter = PlatformFactory.get_platform(reddit_account)
    assert adapter.reconcile(target_for(reddit_account, title="Never sent")).not_found


def test_an_expired_access_token_is_refreshed_by_praw_and_a_revoked_grant_disconnects(reddit_account, reddit_fake):
    adapter = PlatformFactory.get_platform(reddit_account)
    adapter.verify_credentials()
    reddit_fake.expire_access_tokens()
    assert adapter.verify_credentials().platform_username == "alice"  # prawcore refreshed on 401 and retried
    reddit_fake.revoke(reddit_account.refresh_token)
    reddit_fake.expire_access_tokens()
    with pytest.raises(AccountDisconnected, match="invalid_grant"):
        PlatformFactory.get_platform(reddit_account).verify_credentials()


def test_metrics_are_score_upvote_ratio_and_comments(reddit_account, reddit_fake):
    adapter, _t, result = publish(reddit_account)
    post = reddit_fake.post(result.platform_post_id)
    post.score, post.upvote_ratio, post.num_comments = 42, 0.93, 7
    metrics = adapter.fetch_metrics(result.platform_post_id)
    assert (metrics.likes, metrics.replies) == (42, 7) and metrics.raw == {"score": 42, "upvote_ratio": 0.93, "num_comments": 7}


def test_invalid_settings_fail_before_anything_is_sent(reddit_account, reddit_fake):
    with pytest.raises(InvalidContent) as caught:
        publish(reddit_account, title="x" * 301, subreddit="")
    assert any("at most 300" in e for e in caught.value.errors) and any("subreddit" in e for e in caught.value.errors)
    assert reddit_fake.requests_to("/api/submit/") == []


def test_a_connection_dropped_after_submit_is_unknown_and_not_resent(reddit_account, reddit_fake):
    reddit_fake.fail_next("drop_after_store", path="/api/submit/", method="POST")
    with pytest.raises(OutcomeUnknown):
        publish(reddit_account, title="Dropped")
    assert len(reddit_fake.requests_to("/api/submit/", "POST")) == 1 and len(reddit_fake.posts) == 1
