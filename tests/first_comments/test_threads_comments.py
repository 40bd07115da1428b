"""Threads (Meta) first comments against the Threads fake (tests/fakes/threads_fake/): a reply container
(`reply_to_id` = the post) published with threads_publish, 500 characters and 5 links, the container kept on
the target so a retry publishes the same one, a lost answer found among the post's replies or left
unconfirmed (the replies read refused, or failing), a rate limit, a deleted post, and the whole delivery
through the service and the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from first_comments.models import FirstComment, FirstCommentDelivery
from first_comments.services import DELETED_POST, delivery_send
from social_media.models import PostTarget, Status
from social_media.platforms import PlatformFactory
from social_media.platforms.base import InvalidContent, OutcomeUnknown, PlatformError, RateLimited
from social_media.services.publishing import target_publish
from tests.engine.conftest import due_target
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory
from tests.fakes.threads_fake import recorded

D = FirstCommentDelivery.Status
CONTAINER = "threads_container_id_comment"


def published(account, content="Version 2 is out"):
    adapter = PlatformFactory.get_platform(account)
    target = PostTargetFactory(post=PostFactory(workspace=account.workspace, content=content), account=account, status="posted",
                               claimed_at=timezone.now())
    result = adapter.publish(target, content, [])
    target.platform_post_id, target.platform_post_url, target.posted_at = result.platform_post_id, result.url, timezone.now()
    target.save()
    return adapter, target


def replies_to(fake, post_id):
    return [p for p in fake.posts if p.reply_to_id == post_id]


def containers_posted(fake, account):
    return fake.requests_to(f"/v1.0/{account.platform_user_id}/threads", "POST")


def publish_path(account):
    return f"/v1.0/{account.platform_user_id}/threads_publish"


# --- the adapter -------------------------------------------------------------------------------
@pytest.mark.django_db
class TestThreadsComment:
    def test_it_replies_to_the_post_through_a_remembered_container(self, threads_account, threads_fake):
        adapter, target = published(threads_account)
        result = adapter.comment(target, "Changelog: https://example.com/changes", key="k")
        [reply] = replies_to(threads_fake, target.platform_post_id)
        assert reply.user_id == threads_account.platform_user_id and reply.text == "Changelog: https://example.com/changes"
        call = containers_posted(threads_fake, threads_account)[-1]
        assert call.params["media_type"] == "TEXT" and call.params["reply_to_id"] == target.platform_post_id
        target.refresh_from_db()
        assert threads_fake.containers[target.platform_specific_settings[CONTAINER]].media_id == reply.id
        assert result.platform_post_id == reply.id and result.url.startswith("https://www.threads.net/@alice/post/")
        # The posts quota is not read for a reply (replies have their own quota).
        assert len(threads_fake.requests_to(f"/v1.0/{threads_account.platform_user_id}/threads_publishing_limit")) == 1

    def test_it_refuses_501_characters_and_6_links_before_sending_and_so_does_threads(self, threads_account, threads_fake):
        adapter, target = published(threads_account)
        assert adapter.validate_comment("x" * 500) == [] and adapter.validate_comment("👍" * 125) == []
        [problem] = adapter.validate_comment("👍" * 126)
        assert "this comment counts 504" in problem
        links = " ".join(f"https://example.com/{n}" for n in range(6))
        assert adapter.validate_comment(links) == ["Threads allows at most 5 different links in a comment; this one has 6: remove 1."]
        assert adapter.validate_comment("  ") == ["A first comment needs text."]
        before = len(containers_posted(threads_fake, threads_account))
        with pytest.raises(InvalidContent):
            adapter.comment(target, "x" * 501, key="k")
        assert len(containers_posted(threads_fake, threads_account)) == before
        for text, refusal in (("x" * 501, "at most 500 characters"), (links, "LINK_LIMIT_EXCEEDED")):  # Threads refuses them too
            fields = {"media_type": "TEXT", "text": text, "reply_to_id": target.platform_post_id}
            with pytest.raises(InvalidContent, match=refusal):
                adapter.client.post(f"{threads_account.platform_user_id}/threads", fields, what="media container")
        assert replies_to(threads_fake, target.platform_post_id) == []

    def test_a_retry_publishes_the_same_container(self, threads_account, threads_fake):
        adapter, target = published(threads_account)
        threads_fake.fail_next("status", path=publish_path(threads_account), method="POST", status=400, body=recorded.NOT_READY)
        with pytest.raises(PlatformError):
            adapter.comment(target, "hello", key="k")
        assert adapter.find_comment(target, "hello", key="k", since=None).not_found  # stored, never published
        adapter.comment(target, "hello", key="k")
        assert len(containers_posted(threads_fake, threads_account)) == 2  # the post's and the comment's, once
        assert len(replies_to(threads_fake, target.platform_post_id)) == 1

    def test_a_rate_limit_is_a_rate_limit(self, threads_account, threads_fake):
        adapter, target = published(threads_account)
        threads_fake.fail_next("status", path=f"/v1.0/{threads_account.platform_user_id}/threads", method="POST", status=400,
                               body=recorded.error("Application request limit reached", 4), headers={"Retry-After": "120"})
        with pytest.raises(RateLimited) as limited:
            adapter.comment(target, "hello", key="k")
        assert limited.value.retry_after == 120

    def test_a_deleted_post_fails_as_deleted(self, threads_account, threads_fake):
        adapter, target = published(threads_account)
        threads_fake.media[target.platform_post_id].deleted = True
        with pytest.raises(PlatformError) as refused:
            adapter.comment(target, "hello", key="k")
        assert refused.value.http_status == 404 and "deleted" in refused.value.message

    def test_a_lost_answer_is_found_among_the_posts_replies(self, threads_account, threads_fake):
        adapter, target = published(threads_account)
        threads_fake.fail_next("drop_after_store", path=publish_path(threads_account), method="POST")
        with pytest.raises(OutcomeUnknown):
            adapter.comment(target, "Changelog below", key="k")
        found = adapter.find_comment(target, "Changelog below", key="k", since=timezone.now()).found
        assert found.platform_post_id == replies_to(threads_fake, target.platform_post_id)[0].id
        [read] = threads_fake.requests_to(f"/v1.0/{target.platform_post_id}/replies", "GET")
        assert "is_reply_owned_by_me" in read.params["fields"].split(",")
        again = adapter.comment(target, "Changelog below", key="k")  # a retry finds the container PUBLISHED
        assert again.platform_post_id == found.platform_post_id and len(replies_to(threads_fake, target.platform_post_id)) == 1

    def test_without_threads_read_replies_a_published_comment_is_unknown(self, threads_settings, threads_fake, db):
        user = threads_fake.add_user("bob")
        token = threads_fake.issue_token(user, scopes=("threads_basic", "threads_content_publish"))
        account = ConnectedAccountFactory(platform="threads", platform_user_id=user.id, platform_username="bob", access_token=token,
                                          refresh_token="", instance_url="", platform_settings={})
        adapter, target = published(account)
        threads_fake.fail_next("drop_after_store", path=publish_path(account), method="POST")
        with pytest.raises(OutcomeUnknown):
            adapter.comment(target, "hello", key="k")
        answer = adapter.find_comment(target, "hello", key="k", since=None)
        assert answer.found is None and not answer.not_found


# --- the service -------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
class TestThreadsDelivery:
    def published_with_comment(self, account, comment="Changelog: https://example.com/changes"):
        target = due_target(account, "Version 2 is out")
        FirstComment.objects.create(post=target.post, content=comment, delay_seconds=0)
        assert target_publish(target_id=target.id).status == Status.POSTED
        target.refresh_from_db()
        return target, FirstCommentDelivery.objects.get(target=target)

    def test_it_posts_the_comment_once(self, threads_account, threads_fake):
        target, delivery = self.published_with_comment(threads_account)
        assert delivery_send(delivery_id=delivery.id) == D.POSTED
        assert delivery_send(delivery_id=delivery.id) is None
        [reply] = replies_to(threads_fake, target.platform_post_id)
        delivery.refresh_from_db()
        assert delivery.platform_comment_id == reply.id and "/post/" in delivery.url

    def test_a_comment_whose_answer_was_lost_is_found_not_sent_again(self, threads_account, threads_fake):
        target, delivery = self.published_with_comment(threads_account)
        threads_fake.fail_next("drop_after_store", path=publish_path(threads_account), method="POST")
        assert delivery_send(delivery_id=delivery.id) == D.POSTED
        assert len(replies_to(threads_fake, target.platform_post_id)) == 1

    def test_a_lost_answer_threads_cannot_confirm_is_unconfirmed_and_never_resent(self, threads_account, threads_fake):
        target, delivery = self.published_with_comment(threads_account)
        threads_fake.fail_next("drop_after_store", path=publish_path(threads_account), method="POST")
        threads_fake.fail_next("status", path=f"/v1.0/{target.platform_post_id}/replies", method="GET", status=500)
        assert delivery_send(delivery_id=delivery.id) == D.UNCONFIRMED
        delivery.refresh_from_db()
        assert "could not confirm" in delivery.error_message
        assert len(replies_to(threads_fake, target.platform_post_id)) == 1

    def test_a_comment_lost_before_threads_published_it_publishes_the_same_container(self, threads_account, threads_fake):
        target, delivery = self.published_with_comment(threads_account)
        threads_fake.fail_next("drop", path=publish_path(threads_account), method="POST")
        assert delivery_send(delivery_id=delivery.id) == D.PENDING
        delivery.refresh_from_db()
        assert delivery.last_error_class == "OutcomeUnknown"
        container = PostTarget.objects.get(id=target.id).platform_specific_settings[CONTAINER]
        FirstCommentDelivery.objects.filter(id=delivery.id).update(due_at=timezone.now())
        assert delivery_send(delivery_id=delivery.id) == D.POSTED
        assert threads_fake.containers[container].status == "PUBLISHED"
        assert len(containers_posted(threads_fake, threads_account)) == 2  # the post's and the comment's, once
        assert len(replies_to(threads_fake, target.platform_post_id)) == 1

    def test_a_rate_limit_retries_later(self, threads_account, threads_fake):
        target, delivery = self.published_with_comment(threads_account)
        threads_fake.fail_next("status", path=publish_path(threads_account), method="POST", status=400, body=recorded.QUOTA_REACHED)
        assert delivery_send(delivery_id=delivery.id) == D.PENDING
        delivery.refresh_from_db()
        assert delivery.last_error_class == "RateLimited" and delivery.due_at >= timezone.now() + timedelta(minutes=55)
        assert replies_to(threads_fake, target.platform_post_id) == []

    def test_a_deleted_post_fails_with_the_sentence(self, threads_account, threads_fake):
        target, delivery = self.published_with_comment(threads_account)
        threads_fake.media[target.platform_post_id].deleted = True
        assert delivery_send(delivery_id=delivery.id) == D.FAILED
        delivery.refresh_from_db()
        assert delivery.error_message == DELETED_POST
        threads_account.refresh_from_db()
        assert not threads_account.needs_reconnect


# --- compose time: the API -------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_api_takes_500_characters_for_threads_and_refuses_more(auth_api):
    account = ConnectedAccountFactory(workspace=auth_api.user.personal_workspace, platform="threads", platform_settings={})
    body = {"content": "Hello", "target_accounts": [account.id], "first_comment": {"content": "x" * 501}}
    answer = auth_api.post("/api/v1/posts/", body, format="json")
    assert answer.status_code == 400
    [problem] = answer.json()["error"]["fields"]["first_comment"]["content"]
    assert "Threads allows 500 characters" in problem and "this comment counts 501" in problem
    body["first_comment"]["content"] = "x" * 500
    assert auth_api.post("/api/v1/posts/", body, format="json").status_code == 201
