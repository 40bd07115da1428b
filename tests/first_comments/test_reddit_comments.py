"""Reddit first comments: the real praw against the Reddit fake (tests/fakes/reddit_fake/routes_comments.py):
POST /api/comment with thing_id=t3_..., 10,000 characters of Markdown, locked and archived posts said as a
sentence, a 403 that fails the comment without disconnecting the account, a lost answer found among the
account's comments, and the whole delivery through the service and the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from first_comments.models import FirstComment, FirstCommentDelivery
from first_comments.services import delivery_send
from social_media.models import PostTarget, Status
from social_media.platforms import PlatformFactory
from social_media.platforms.base import InvalidContent, OutcomeUnknown, PlatformError, RateLimited
from social_media.services.publishing import target_publish
from tests.engine.conftest import due_target
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory

pytestmark = pytest.mark.network
D = FirstCommentDelivery.Status
SETTINGS = {"subreddit": "scheduler_test", "title": "Release notes"}


def published(account, content="Version 2 is out"):
    adapter = PlatformFactory.get_platform(account)
    target = PostTargetFactory(post=PostFactory(workspace=account.workspace, content=content), account=account, status="posted",
                               claimed_at=timezone.now(), platform_specific_settings=SETTINGS)
    result = adapter.publish(target, content, [])
    target.platform_post_id, target.platform_post_url, target.posted_at = result.platform_post_id, result.url, timezone.now()
    target.save()
    return adapter, target


# --- the adapter -------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
class TestRedditComment:
    def test_it_replies_to_the_submission_with_markdown(self, reddit_account, reddit_fake):
        adapter, target = published(reddit_account)
        text = "**Changelog:** [here](https://example.com/changes)"
        result = adapter.comment(target, text, key="k")
        [comment] = reddit_fake.comments_on(target.platform_post_id)
        assert (comment.author, comment.body) == ("alice", text)
        [call] = reddit_fake.requests_to("/api/comment/", "POST")
        assert call.form == {"api_type": "json", "thing_id": f"t3_{target.platform_post_id}", "text": text}
        assert result.platform_post_id == comment.id
        assert result.url == f"{reddit_fake.base_url}/comments/{target.platform_post_id}/_/{comment.id}/"

    def test_it_refuses_10001_characters_before_sending_and_so_does_the_fake(self, reddit_account, reddit_fake):
        adapter, target = published(reddit_account)
        assert adapter.validate_comment("x" * 10_000) == []
        assert adapter.validate_comment("x" * 10_001) == ["Reddit comments allow 10,000 characters; this one has 10,001."]
        with pytest.raises(InvalidContent):
            adapter.comment(target, "x" * 10_001, key="k")
        submission = adapter.reddit.submission(id=target.platform_post_id)
        with pytest.raises(InvalidContent, match="TOO_LONG"):
            adapter._call(lambda: submission.reply("x" * 10_001), what="comment", unsafe=True)
        assert reddit_fake.comments_on(target.platform_post_id) == []

    @pytest.mark.parametrize(("state", "sentence"), [("locked", "the post is locked: its comments are closed"),
                                                     ("archived", "the post is archived")])
    def test_a_locked_or_archived_post_answers_a_sentence(self, reddit_account, reddit_fake, state, sentence):
        adapter, target = published(reddit_account)
        setattr(reddit_fake.post(target.platform_post_id), state, True)
        with pytest.raises(InvalidContent) as refused:
            adapter.comment(target, "hello", key="k")
        assert refused.value.message.startswith(f"Reddit rejected the comment: {sentence}")

    def test_an_unknown_post_fails_the_comment_without_disconnecting(self, reddit_account, reddit_fake):
        adapter, target = published(reddit_account)
        target.platform_post_id = "zzzzzz"
        with pytest.raises(PlatformError) as refused:
            adapter.comment(target, "hello", key="k")
        assert type(refused.value) is PlatformError and refused.value.http_status == 403
        assert "may no longer exist" in refused.value.message

    def test_a_token_without_the_submit_scope_is_refused(self, reddit_settings, reddit_fake, db):
        user = reddit_fake.add_user("bob")
        account = ConnectedAccountFactory(platform="reddit", platform_user_id=user.id, platform_username="bob", access_token="",
                                          refresh_token=reddit_fake.issue_refresh_token(user, scope="identity read"),
                                          instance_url="", platform_settings={})
        submission = reddit_fake._store("alice", reddit_fake.subreddits["scheduler_test"], {"title": "t"}, "self", url="")
        target = PostTargetFactory(post=PostFactory(workspace=account.workspace), account=account, status="posted",
                                   platform_post_id=submission.id)
        with pytest.raises(PlatformError) as refused:
            PlatformFactory.get_platform(account).comment(target, "hello", key="k")
        assert refused.value.http_status == 403 and reddit_fake.comments_on(submission.id) == []

    def test_reddit_asking_to_wait_is_a_rate_limit_with_its_wait(self, reddit_account, reddit_fake):
        adapter, target = published(reddit_account)
        reddit_fake.ratelimit_minutes = 7
        with pytest.raises(RateLimited) as limited:
            adapter.comment(target, "hello", key="k")
        assert limited.value.retry_after == 420

    def test_a_lost_answer_is_found_among_the_accounts_comments(self, reddit_account, reddit_fake):
        adapter, target = published(reddit_account)
        reddit_fake.fail_next("after_store", path="/api/comment", method="POST", status=502)
        with pytest.raises(OutcomeUnknown):
            adapter.comment(target, "Changelog below", key="k")
        found = adapter.find_comment(target, "Changelog below", key="k", since=timezone.now() - timedelta(minutes=1)).found
        assert found.platform_post_id == reddit_fake.comments_on(target.platform_post_id)[0].id
        assert adapter.find_comment(target, "Other text", key="k", since=None).not_found
        assert len(reddit_fake.requests_to("/api/comment/", "POST")) == 1  # prawcore did not retry the 502
        reddit_fake.fail_next("status", path="/user/", method="GET", status=403)
        answer = adapter.find_comment(target, "Changelog below", key="k", since=None)
        assert answer.found is None and not answer.not_found  # a failed look is unknown, never "not there"


# --- the service -------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
class TestRedditDelivery:
    def published_with_comment(self, account, comment="Changelog: https://example.com/changes"):
        target = due_target(account, "Version 2 is out")
        PostTarget.objects.filter(id=target.id).update(platform_specific_settings=SETTINGS)
        FirstComment.objects.create(post=target.post, content=comment, delay_seconds=0)
        assert target_publish(target_id=target.id).status == Status.POSTED
        target.refresh_from_db()
        return target, FirstCommentDelivery.objects.get(target=target)

    def test_it_posts_the_comment_once(self, reddit_account, reddit_fake):
        target, delivery = self.published_with_comment(reddit_account)
        assert delivery_send(delivery_id=delivery.id) == D.POSTED
        assert delivery_send(delivery_id=delivery.id) is None
        [comment] = reddit_fake.comments_on(target.platform_post_id)
        delivery.refresh_from_db()
        assert delivery.platform_comment_id == comment.id and f"/_/{comment.id}/" in delivery.url

    def test_a_comment_whose_answer_was_lost_is_found_not_sent_again(self, reddit_account, reddit_fake):
        target, delivery = self.published_with_comment(reddit_account)
        reddit_fake.fail_next("drop_after_store", path="/api/comment", method="POST")
        assert delivery_send(delivery_id=delivery.id) == D.POSTED
        assert len(reddit_fake.comments_on(target.platform_post_id)) == 1

    def test_a_comment_lost_before_reddit_stored_it_is_sent_again_after_looking(self, reddit_account, reddit_fake):
        target, delivery = self.published_with_comment(reddit_account)
        reddit_fake.fail_next("drop", path="/api/comment", method="POST")
        assert delivery_send(delivery_id=delivery.id) == D.PENDING
        delivery.refresh_from_db()
        assert delivery.last_error_class == "OutcomeUnknown"
        FirstCommentDelivery.objects.filter(id=delivery.id).update(due_at=timezone.now())
        assert delivery_send(delivery_id=delivery.id) == D.POSTED
        assert len(reddit_fake.comments_on(target.platform_post_id)) == 1

    def test_a_locked_post_fails_with_a_sentence_and_the_account_stays_connected(self, reddit_account, reddit_fake):
        target, delivery = self.published_with_comment(reddit_account)
        reddit_fake.post(target.platform_post_id).locked = True
        assert delivery_send(delivery_id=delivery.id) == D.FAILED
        delivery.refresh_from_db()
        assert "the post is locked: its comments are closed" in delivery.error_message
        reddit_account.refresh_from_db()
        assert not reddit_account.needs_reconnect

    def test_an_expired_access_token_is_renewed_and_the_comment_sent(self, reddit_account, reddit_fake):
        target, delivery = self.published_with_comment(reddit_account)
        reddit_fake.expire_access_tokens()
        assert delivery_send(delivery_id=delivery.id) == D.POSTED
        assert len(reddit_fake.comments_on(target.platform_post_id)) == 1


# --- the API -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_api_takes_10000_characters_for_reddit_and_refuses_more(auth_api):
    account = ConnectedAccountFactory(workspace=auth_api.user.personal_workspace, platform="reddit", platform_settings={})
    body = {"content": "Hello", "target_accounts": [account.id], "target_settings": {str(account.id): SETTINGS},
            "first_comment": {"content": "x" * 10_001}}
    answer = auth_api.post("/api/v1/posts/", body, format="json")
    assert answer.status_code == 400
    [problem] = answer.json()["error"]["fields"]["first_comment"]["content"]  # the serializer's limit: Reddit's 10,000
    assert "10000" in problem.replace(",", "")
    body["first_comment"]["content"] = "x" * 10_000
    assert auth_api.post("/api/v1/posts/", body, format="json").status_code == 201
