"""Each network's `comment` against a real server (mastodon-mock, the reference PDS) or our stateful
fake (Meta): the payload the network received, the reply's link to the post, the one comment a
repeated key leaves, and the errors the network's refusals become."""

import pytest
from django.utils import timezone

from social_media.platforms import PlatformFactory
from social_media.platforms.base import InvalidContent, OutcomeUnknown
from tests.factories import PostFactory, PostTargetFactory
from tests.platforms.conftest_meta import meta_jpeg
from tests.platforms.test_mastodon_contract import connect


def published(account, content="The post"):
    """A target published through the adapter itself, as the engine leaves it."""
    post = PostFactory(workspace=account.workspace, content=content)
    target = PostTargetFactory(post=post, account=account, status="posted")
    return target


def publish(adapter, target, media=()):
    result = adapter.publish(target, target.content, list(media))
    target.platform_post_id, target.platform_post_url, target.posted_at = result.platform_post_id, result.url, timezone.now()
    target.save()
    return target


# --- Mastodon (mastodon-mock 0.6.1) ------------------------------------------------------------
@pytest.mark.network
@pytest.mark.django_db
class TestMastodonComment:
    @pytest.fixture(autouse=True)
    def _insecure(self, settings):
        settings.ALLOW_INSECURE_NETWORK_URLS = True

    def test_it_posts_a_reply_to_the_post_once_per_key(self, mastodon_mock):
        user = mastodon_mock.new_user()
        account = connect(mastodon_mock, user)
        adapter = PlatformFactory.get_platform(account)
        target = publish(adapter, published(account, "Launch day"))
        first = adapter.comment(target, "Links in the first comment", key="k-1")
        again = adapter.comment(target, "Links in the first comment", key="k-1")  # a retry after a lost answer
        assert again.platform_post_id == first.platform_post_id
        statuses = mastodon_mock.statuses_of(user)
        replies = [s for s in statuses if s["in_reply_to_id"] == target.platform_post_id]
        assert len(replies) == 1 and "Links in the first comment" in replies[0]["content"]
        assert first.url.endswith(f"/{first.platform_post_id}")

    def test_it_refuses_a_comment_over_the_instance_limit_before_sending(self, mastodon_mock):
        user = mastodon_mock.new_user()
        account = connect(mastodon_mock, user, max_characters=20)
        adapter = PlatformFactory.get_platform(account)
        assert adapter.validate_comment("x" * 21)
        with pytest.raises(InvalidContent):
            adapter.comment(published(account), "x" * 21, key="k")
        assert mastodon_mock.statuses_of(user) == []


# --- Bluesky (reference PDS) -----------------------------------------------------------------------
@pytest.mark.network
@pytest.mark.django_db
class TestBlueskyComment:
    def test_it_writes_a_reply_record_referencing_the_post_once(self, connect_bluesky, bluesky_pds, settings):
        settings.ALLOW_INSECURE_NETWORK_URLS = True
        account = connect_bluesky()
        adapter = PlatformFactory.get_platform(account)
        target = publish(adapter, published(account, "Thread starter"))
        result = adapter.comment(target, "More in the first comment", key="bsky-key")
        again = adapter.comment(target, "More in the first comment", key="bsky-key")  # the PDS refuses the same rkey
        assert again.platform_post_id == result.platform_post_id
        records = bluesky_pds.list_posts(account.platform_user_id)
        replies = [r for r in records if r["value"].get("reply")]
        assert len(replies) == 1 and len(records) == 2
        reply = replies[0]["value"]
        assert reply["text"] == "More in the first comment"
        assert reply["reply"]["root"]["uri"] == reply["reply"]["parent"]["uri"] == target.platform_post_id
        assert result.url.startswith(f"https://bsky.app/profile/{account.platform_username}/post/")
        assert adapter.find_comment(target, "", key="bsky-key", since=None).found.platform_post_id == result.platform_post_id
        assert adapter.find_comment(target, "", key="other-key", since=None).not_found

    def test_it_refuses_301_graphemes(self, connect_bluesky, settings):
        settings.ALLOW_INSECURE_NETWORK_URLS = True
        adapter = PlatformFactory.get_platform(connect_bluesky())
        assert adapter.validate_comment("é" * 300) == []
        assert adapter.validate_comment("é" * 301) == ["Bluesky allows 300 characters; this comment has 301."]


# --- Facebook and Instagram (tests/fakes/meta_fake) -----------------------------------------------
@pytest.mark.django_db(transaction=True)
class TestFacebookComment:
    def test_it_comments_on_the_page_post_as_the_page(self, facebook_account, meta_fake):
        adapter = PlatformFactory.get_platform(facebook_account)
        target = publish(adapter, published(facebook_account, "New menu"))
        result = adapter.comment(target, "Order at https://bakery.example", key="k")
        [comment] = meta_fake.comments_on(target.platform_post_id)
        assert comment["message"] == "Order at https://bakery.example"
        assert comment["from"]["id"] == facebook_account.platform_user_id
        [call] = meta_fake.requests_to(f"/{target.platform_post_id}/comments", method="POST")
        assert call.form == {"message": "Order at https://bakery.example"}
        assert result.platform_post_id == comment["id"] and result.url.startswith("https://www.facebook.com/")

    def test_a_lost_answer_is_found_among_the_posts_comments(self, facebook_account, meta_fake):
        adapter = PlatformFactory.get_platform(facebook_account)
        target = publish(adapter, published(facebook_account, "New menu"))
        meta_fake.fail_next("error_after_store", path="/comments", method="POST")
        with pytest.raises(OutcomeUnknown):
            adapter.comment(target, "See the menu", key="k")
        answer = adapter.find_comment(target, "See the menu", key="k", since=None)
        assert answer.found.platform_post_id == meta_fake.comments_on(target.platform_post_id)[0]["id"]
        assert adapter.find_comment(target, "Something else", key="k", since=None).not_found

    def test_it_refuses_8001_characters_before_sending(self, facebook_account, meta_fake):
        adapter = PlatformFactory.get_platform(facebook_account)
        target = publish(adapter, published(facebook_account))
        with pytest.raises(InvalidContent, match="8,000"):
            adapter.comment(target, "x" * 8001, key="k")
        assert meta_fake.comments_on(target.platform_post_id) == []


@pytest.mark.django_db(transaction=True)
class TestInstagramComment:
    def test_it_comments_on_the_media(self, instagram_account, meta_fake, media_files):
        adapter = PlatformFactory.get_platform(instagram_account)
        target = publish(adapter, published(instagram_account, "Sourdough"), [meta_jpeg(instagram_account, media_files)])
        result = adapter.comment(target, "#bread #baking recipe below", key="k")
        [comment] = meta_fake.comments_on(target.platform_post_id)
        assert comment["message"] == "#bread #baking recipe below"
        assert result.platform_post_id == comment["id"] and result.url == target.platform_post_url
        found = adapter.find_comment(target, "#bread #baking recipe below", key="k", since=None).found
        assert found.platform_post_id == comment["id"]

    def test_it_refuses_31_hashtags_before_sending(self, instagram_account):
        adapter = PlatformFactory.get_platform(instagram_account)
        problems = adapter.validate_comment(" ".join(f"#t{n}" for n in range(31)))
        assert problems == ["Instagram allows 30 hashtags in a comment; this one has 31."]

    def test_without_the_comments_permission_the_account_must_reconnect(self, instagram_account, meta_fake, media_files):
        from social_media.platforms.base import AccountDisconnected

        adapter = PlatformFactory.get_platform(instagram_account)
        target = publish(adapter, published(instagram_account, "Sourdough"), [meta_jpeg(instagram_account, media_files)])
        meta_fake.comments_granted = False
        with pytest.raises(AccountDisconnected):
            adapter.comment(target, "hello", key="k")
