"""X first comments: the real tweepy against the X fake (tests/fakes/x_fake*.py): a reply by the account
(POST /2/tweets with reply.in_reply_to_tweet_id), 280 weighted characters, X's refusals (rate limit with its
reset, duplicate content, a deleted post), a lost answer found on the timeline or left unconfirmed, and the
whole delivery through the service and the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from first_comments.models import FirstComment, FirstCommentDelivery
from first_comments.services import DELETED_POST, delivery_send
from social_media.models import Status
from social_media.platforms import PlatformFactory
from social_media.platforms.base import InvalidContent, OutcomeUnknown, PlatformError, RateLimited
from social_media.platforms.x.errors import translated
from social_media.services.publishing import target_publish
from tests.engine.conftest import due_target
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory

pytestmark = pytest.mark.network
D = FirstCommentDelivery.Status


def published(account, content="Version 2 is out"):
    adapter = PlatformFactory.get_platform(account)
    target = PostTargetFactory(post=PostFactory(workspace=account.workspace, content=content), account=account, status="posted",
                               claimed_at=timezone.now())
    result = adapter.publish(target, content, [])
    target.platform_post_id, target.platform_post_url, target.posted_at = result.platform_post_id, result.url, timezone.now()
    target.save()
    return adapter, target


def replies_to(x_fake, post_id):
    return [p for p in x_fake.posts if p.in_reply_to == post_id and not p.deleted]


# --- the adapter -------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
class TestXComment:
    def test_it_replies_to_the_post_as_the_account(self, x_account, x_fake):
        adapter, target = published(x_account)
        result = adapter.comment(target, "Changelog: https://example.com/changes", key="k")
        [reply] = replies_to(x_fake, target.platform_post_id)
        assert reply.author_id == x_account.platform_user_id and reply.text == "Changelog: https://example.com/changes"
        [call] = [r for r in x_fake.requests_to("/2/tweets", "POST") if (r.json or {}).get("reply")]
        assert call.json == {"text": "Changelog: https://example.com/changes", "reply": {"in_reply_to_tweet_id": target.platform_post_id}}
        assert result.platform_post_id == reply.id
        assert result.url == f"https://x.com/{x_account.platform_username}/status/{reply.id}"

    def test_it_refuses_281_weighted_characters_before_sending_and_so_does_x(self, x_account, x_fake):
        adapter, target = published(x_account)
        assert adapter.validate_comment("x" * 280) == [] and adapter.validate_comment("😀" * 140) == []
        [problem] = adapter.validate_comment("😀" * 141)
        assert problem.startswith("The first comment counts 282 characters on X, over its limit of 280")
        assert adapter.validate_comment("   ") == ["A first comment needs text."]
        before = len(x_fake.requests_to("/2/tweets", "POST"))
        with pytest.raises(InvalidContent):
            adapter.comment(target, "x" * 281, key="k")
        assert len(x_fake.requests_to("/2/tweets", "POST")) == before
        with pytest.raises(InvalidContent, match="too long"), translated(what="comment"):  # X (the fake: twitter-text v3) refuses it too
            adapter._api().client.create_tweet(text="x" * 281, in_reply_to_tweet_id=target.platform_post_id, user_auth=False)
        assert replies_to(x_fake, target.platform_post_id) == []

    def test_a_paid_account_takes_its_own_limit(self, x_settings, x_fake, db):
        from tests.platforms.conftest_x import make_x_account

        account = make_x_account(x_fake, subscription_type="Premium", max_weighted_length=25_000)
        account.platform_settings = {"max_weighted_length": 25_000}
        assert PlatformFactory.get_platform(account).validate_comment("x" * 1000) == []

    def test_a_rate_limit_waits_until_xs_reset(self, x_account, x_fake):
        adapter, target = published(x_account)
        x_fake.fail_next("rate_limit", path="/2/tweets", method="POST", retry_after=600)
        with pytest.raises(RateLimited) as limited:
            adapter.comment(target, "hello", key="k")
        assert 590 <= limited.value.retry_after <= 600

    def test_duplicate_content_is_refused_as_x_says(self, x_account, x_fake):
        adapter, target = published(x_account, "Same words")
        with pytest.raises(InvalidContent) as refused:
            adapter.comment(target, "Same words", key="k")
        assert refused.value.http_status == 403 and "duplicate content" in refused.value.message
        assert refused.value.message.startswith("X rejected the comment:")

    def test_a_deleted_post_fails_as_deleted(self, x_account, x_fake):
        adapter, target = published(x_account)
        x_fake.post(target.platform_post_id).deleted = True
        with pytest.raises(PlatformError) as refused:
            adapter.comment(target, "hello", key="k")
        assert refused.value.http_status == 404 and "deleted" in refused.value.message

    def test_a_lost_answer_is_found_among_the_replies_in_the_posts_conversation(self, x_account, x_fake):
        adapter, target = published(x_account)
        _same, other = published(x_account, "Another post")
        assert adapter.find_comment(target, "Changelog below", key="k", since=None).not_found
        x_fake.fail_next("drop_after_store", path="/2/tweets", method="POST")
        with pytest.raises(OutcomeUnknown):
            adapter.comment(target, "Changelog below", key="k")
        found = adapter.find_comment(target, "Changelog below", key="k", since=timezone.now()).found
        assert found.platform_post_id == replies_to(x_fake, target.platform_post_id)[0].id
        assert adapter.find_comment(other, "Changelog below", key="k", since=None).not_found  # not under that post
        [call] = [r for r in x_fake.requests if r.path == f"/2/users/{x_account.platform_user_id}/tweets"][-1:]
        assert call.query["post.fields"] == "created_at,conversation_id"

    def test_a_failed_look_is_unknown_never_not_there(self, x_account, x_fake):
        adapter, target = published(x_account)
        x_fake.fail_next("rate_limit", path="/2/users/", method="GET")
        answer = adapter.find_comment(target, "hello", key="k", since=None)
        assert answer.found is None and not answer.not_found


# --- the service -------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
class TestXDelivery:
    def published_with_comment(self, account, comment="Changelog: https://example.com/changes"):
        target = due_target(account, f"Version 2 is out ({account.platform_username})")
        FirstComment.objects.create(post=target.post, content=comment, delay_seconds=0)
        assert target_publish(target_id=target.id).status == Status.POSTED
        target.refresh_from_db()
        return target, FirstCommentDelivery.objects.get(target=target)

    def test_it_posts_the_comment_once(self, x_account, x_fake):
        target, delivery = self.published_with_comment(x_account)
        assert delivery_send(delivery_id=delivery.id) == D.POSTED
        assert delivery_send(delivery_id=delivery.id) is None
        [reply] = replies_to(x_fake, target.platform_post_id)
        delivery.refresh_from_db()
        assert delivery.platform_comment_id == reply.id and delivery.url.endswith(f"/status/{reply.id}")

    def test_a_comment_whose_answer_was_lost_is_found_not_sent_again(self, x_account, x_fake):
        target, delivery = self.published_with_comment(x_account)
        x_fake.fail_next("drop_after_store", path="/2/tweets", method="POST")
        assert delivery_send(delivery_id=delivery.id) == D.POSTED
        assert len(replies_to(x_fake, target.platform_post_id)) == 1

    def test_a_lost_answer_x_cannot_confirm_is_unconfirmed_and_never_resent(self, x_account, x_fake):
        target, delivery = self.published_with_comment(x_account)
        x_fake.fail_next("drop_after_store", path="/2/tweets", method="POST")
        x_fake.fail_next("server_error", path="/2/users/", method="GET")
        assert delivery_send(delivery_id=delivery.id) == D.UNCONFIRMED
        delivery.refresh_from_db()
        assert "could not confirm" in delivery.error_message
        assert len(replies_to(x_fake, target.platform_post_id)) == 1

    def test_a_comment_lost_before_x_stored_it_is_sent_again_after_looking(self, x_account, x_fake):
        target, delivery = self.published_with_comment(x_account)
        x_fake.fail_next("drop", path="/2/tweets", method="POST")
        assert delivery_send(delivery_id=delivery.id) == D.PENDING
        delivery.refresh_from_db()
        assert delivery.last_error_class == "OutcomeUnknown"
        FirstCommentDelivery.objects.filter(id=delivery.id).update(due_at=timezone.now())
        looks = len(x_fake.requests_to(f"/2/users/{x_account.platform_user_id}/tweets"))
        assert delivery_send(delivery_id=delivery.id) == D.POSTED
        assert len(x_fake.requests_to(f"/2/users/{x_account.platform_user_id}/tweets")) > looks  # looked before sending
        assert len(replies_to(x_fake, target.platform_post_id)) == 1

    def test_a_rate_limit_retries_after_xs_reset(self, x_account, x_fake):
        target, delivery = self.published_with_comment(x_account)
        x_fake.fail_next("rate_limit", path="/2/tweets", method="POST", retry_after=900)
        assert delivery_send(delivery_id=delivery.id) == D.PENDING
        delivery.refresh_from_db()
        assert delivery.due_at >= timezone.now() + timedelta(seconds=880)
        assert delivery.last_error_class == "RateLimited" and replies_to(x_fake, target.platform_post_id) == []

    def test_a_deleted_post_fails_with_the_sentence(self, x_account, x_fake):
        target, delivery = self.published_with_comment(x_account)
        x_fake.post(target.platform_post_id).deleted = True
        assert delivery_send(delivery_id=delivery.id) == D.FAILED
        delivery.refresh_from_db()
        assert delivery.error_message == DELETED_POST
        x_account.refresh_from_db()
        assert not x_account.needs_reconnect


# --- compose time: the API -------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_api_takes_280_weighted_characters_for_x_and_refuses_more(auth_api):
    account = ConnectedAccountFactory(workspace=auth_api.user.personal_workspace, platform="x", platform_settings={})
    body = {"content": "Hello", "target_accounts": [account.id], "first_comment": {"content": "😀" * 141}}
    answer = auth_api.post("/api/v1/posts/", body, format="json")
    assert answer.status_code == 400
    [problem] = answer.json()["error"]["fields"]["first_comment"]["content"]
    assert "The first comment counts 282 characters on X, over its limit of 280" in problem
    body["first_comment"]["content"] = "😀" * 140
    assert auth_api.post("/api/v1/posts/", body, format="json").status_code == 201
