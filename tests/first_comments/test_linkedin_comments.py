"""LinkedIn first comments against the LinkedIn fake (tests/fakes/linkedin_fake/routes_comments.py):
the Comments API call as LinkedIn documents it, the member or the page as actor, the text sent as
written, 1,250 characters, a lost answer found among the post's comments (or unconfirmed where the
app may not read them), permission refusals, and the whole delivery through the service and the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from first_comments.models import FirstComment, FirstCommentDelivery
from first_comments.services import DELETED_POST, delivery_send
from social_media.models import Status
from social_media.platforms import PlatformFactory
from social_media.platforms.base import AccountDisconnected, InvalidContent, OutcomeUnknown, PlatformError, TransientError
from social_media.platforms.linkedin.client import encode
from social_media.services.publishing import target_publish
from tests.engine.conftest import due_target
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory
from tests.platforms.conftest_linkedin import make_linkedin_account

D = FirstCommentDelivery.Status
MEMBER_ONLY = ["openid", "profile", "w_member_social"]  # what a self-serve app gets: no r_member_social


def published(account, content="The post"):
    adapter = PlatformFactory.get_platform(account)
    target = PostTargetFactory(post=PostFactory(workspace=account.workspace, content=content), account=account, status="posted")
    result = adapter.publish(target, content, [])
    target.platform_post_id, target.platform_post_url, target.posted_at = result.platform_post_id, result.url, timezone.now()
    target.save()
    return adapter, target


def comments_path(urn):
    return f"/rest/socialActions/{encode(urn)}/comments"


# --- the adapter -------------------------------------------------------------------------------
@pytest.mark.django_db
class TestLinkedInComment:
    def test_it_comments_as_the_member_with_the_text_as_written(self, linkedin_account, linkedin_fake):
        adapter, target = published(linkedin_account, "Launch day")
        text = "Details (and the #launch video) at https://example.com/a_b — ask @us"
        result = adapter.comment(target, text, key="k")
        [comment] = linkedin_fake.comments_on(target.platform_post_id)
        assert comment["actor"] == linkedin_account.platform_user_id and comment["object"] == target.platform_post_id
        assert comment["message"]["text"] == text  # comments are not little text: nothing escaped
        [call] = linkedin_fake.requests_to(comments_path(target.platform_post_id), "POST")
        assert call.json == {"actor": linkedin_account.platform_user_id, "object": target.platform_post_id, "message": {"text": text}}
        assert call.headers["linkedin-version"] == "202611" and call.headers["x-restli-protocol-version"] == "2.0.0"
        assert result.platform_post_id == comment["commentUrn"] and result.url == target.platform_post_url

    def test_a_page_comments_as_the_organization(self, linkedin_page_account, linkedin_fake):
        adapter, target = published(linkedin_page_account, "Page news")
        adapter.comment(target, "More below", key="k")
        [comment] = linkedin_fake.comments_on(target.platform_post_id)
        assert comment["actor"] == linkedin_page_account.platform_user_id and comment["actor"].startswith("urn:li:organization:")
        assert comment["agent"] == linkedin_page_account.fake_member.urn

    def test_a_lost_answer_is_found_among_the_posts_comments(self, linkedin_account, linkedin_fake):
        adapter, target = published(linkedin_account)
        linkedin_fake.fail_next("error_after_store", path="/rest/socialActions/", method="POST")
        with pytest.raises(OutcomeUnknown):
            adapter.comment(target, "See the menu", key="k")
        found = adapter.find_comment(target, "See the menu", key="k", since=None).found
        assert found.platform_post_id == linkedin_fake.comments_on(target.platform_post_id)[0]["commentUrn"]
        assert adapter.find_comment(target, "Something else", key="k", since=None).not_found

    def test_without_r_member_social_the_outcome_stays_unknown(self, linkedin_settings, linkedin_fake):
        account = make_linkedin_account(linkedin_fake, scopes=MEMBER_ONLY)
        adapter, target = published(account)
        adapter.comment(target, "Hello", key="k")
        answer = adapter.find_comment(target, "Hello", key="k", since=None)
        assert answer.found is None and not answer.not_found  # LinkedIn answered 403 to the read

    def test_it_refuses_1251_characters_counted_in_utf16(self, linkedin_account, linkedin_fake):
        adapter, target = published(linkedin_account)
        assert adapter.validate_comment("x" * 1250) == [] and adapter.validate_comment("😀" * 625) == []
        assert adapter.validate_comment("😀" * 626) == ["LinkedIn comments allow 1,250 characters; this one has 1,252."]
        with pytest.raises(InvalidContent, match="1,250"):
            adapter.comment(target, "x" * 1251, key="k")
        assert linkedin_fake.comments_on(target.platform_post_id) == []

    def test_the_fake_refuses_what_linkedin_refuses(self, linkedin_account, linkedin_fake):
        adapter, target = published(linkedin_account)
        client, path = adapter._client(), comments_path(target.platform_post_id)
        body = {"actor": linkedin_account.platform_user_id, "object": target.platform_post_id, "message": {"text": "x" * 1251}}
        with pytest.raises(InvalidContent):
            client.call("POST", path, json=body, what="comment", may_have_landed=True)
        with pytest.raises(PlatformError) as missing:
            client.call("POST", comments_path("urn:li:share:1"), json={**body, "object": "urn:li:share:1", "message": {"text": "hi"}},
                        what="comment", may_have_landed=True)
        assert missing.value.http_status == 404
        stranger = make_linkedin_account(linkedin_fake)
        with pytest.raises(AccountDisconnected):  # commenting as someone else: 403
            client.call("POST", path, json={**body, "actor": stranger.platform_user_id, "message": {"text": "hi"}},
                        what="comment", may_have_landed=True)
        assert linkedin_fake.comments_on(target.platform_post_id) == []

    def test_an_account_connected_without_the_write_scope_is_refused_when_composing(self, linkedin_settings, linkedin_fake):
        account = make_linkedin_account(linkedin_fake, scopes=["openid", "profile"])
        problems = PlatformFactory.get_platform(account).validate_comment("Hello")
        assert problems == ["This LinkedIn account was connected without the w_member_social permission that commenting needs; reconnect it."]

    def test_a_refusal_despite_the_scope_fails_the_comment_without_disconnecting(self, linkedin_settings, linkedin_fake):
        account = make_linkedin_account(linkedin_fake, scopes=["openid", "profile"])  # the token cannot write...
        account.platform_settings["scopes"] = MEMBER_ONLY  # ...though the grant said it could
        adapter = PlatformFactory.get_platform(account)
        target = PostTargetFactory(post=PostFactory(workspace=account.workspace), account=account, status="posted",
                                   platform_post_id=linkedin_fake.add_post(account.platform_user_id, "x").urn)
        with pytest.raises(PlatformError) as refused:
            adapter.comment(target, "Hello", key="k")
        assert not isinstance(refused.value, AccountDisconnected) and refused.value.http_status == 403
        assert "Not enough permissions" in refused.value.message
        account.platform_settings["scopes"] = []  # a grant that named nothing: reconnecting is the way out
        with pytest.raises(AccountDisconnected):
            PlatformFactory.get_platform(account).comment(target, "Hello", key="k")

    def test_a_404_right_after_publishing_is_retried_and_later_means_deleted(self, linkedin_account, linkedin_fake):
        adapter, target = published(linkedin_account)
        linkedin_fake.fail_next("status", path="/rest/socialActions/", method="POST", status=404,
                                body={"status": 404, "message": "Unable to obtain activity"})
        with pytest.raises(TransientError):
            adapter.comment(target, "Hello", key="k")
        target.posted_at = timezone.now() - timedelta(hours=1)
        linkedin_fake.post(target.platform_post_id).deleted = True
        with pytest.raises(PlatformError) as gone:
            adapter.comment(target, "Hello", key="k")
        assert gone.value.http_status == 404 and not isinstance(gone.value, TransientError)


# --- the service -------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
class TestLinkedInDelivery:
    def published_with_comment(self, account, comment="Slides: https://example.com/slides"):
        target = due_target(account, "Talk tonight")
        FirstComment.objects.create(post=target.post, content=comment, delay_seconds=0)
        assert target_publish(target_id=target.id).status == Status.POSTED
        target.refresh_from_db()
        return target, FirstCommentDelivery.objects.get(target=target)

    def test_it_posts_the_comment_once(self, linkedin_account, linkedin_fake):
        target, delivery = self.published_with_comment(linkedin_account)
        assert delivery_send(delivery_id=delivery.id) == D.POSTED
        assert delivery_send(delivery_id=delivery.id) is None
        [comment] = linkedin_fake.comments_on(target.platform_post_id)
        delivery.refresh_from_db()
        assert delivery.platform_comment_id == comment["commentUrn"] and delivery.url == target.platform_post_url

    def test_a_comment_whose_answer_was_lost_is_found_not_sent_again(self, linkedin_page_account, linkedin_fake):
        target, delivery = self.published_with_comment(linkedin_page_account)
        linkedin_fake.fail_next("error_after_store", path="/rest/socialActions/", method="POST")
        assert delivery_send(delivery_id=delivery.id) == D.POSTED
        assert len(linkedin_fake.comments_on(target.platform_post_id)) == 1
        assert len(linkedin_fake.requests_to(comments_path(target.platform_post_id), "GET")) == 1

    def test_where_the_app_may_not_read_comments_a_lost_answer_is_unconfirmed(self, linkedin_settings, linkedin_fake):
        account = make_linkedin_account(linkedin_fake, scopes=MEMBER_ONLY)
        target, delivery = self.published_with_comment(account)
        linkedin_fake.fail_next("drop_after_store", path="/rest/socialActions/", method="POST")
        assert delivery_send(delivery_id=delivery.id) == D.UNCONFIRMED
        assert delivery_send(delivery_id=delivery.id) is None
        assert len(linkedin_fake.comments_on(target.platform_post_id)) == 1

    def test_a_post_too_new_for_linkedin_is_retried_later(self, linkedin_account, linkedin_fake):
        target, delivery = self.published_with_comment(linkedin_account)
        linkedin_fake.fail_next("status", path="/rest/socialActions/", method="POST", status=404,
                                body={"status": 404, "message": "Unable to obtain activity"})
        assert delivery_send(delivery_id=delivery.id) == D.PENDING
        FirstCommentDelivery.objects.filter(id=delivery.id).update(due_at=timezone.now())
        assert delivery_send(delivery_id=delivery.id) == D.POSTED
        assert len(linkedin_fake.comments_on(target.platform_post_id)) == 1

    def test_a_post_deleted_on_linkedin_fails_with_a_sentence(self, linkedin_account, linkedin_fake):
        target, delivery = self.published_with_comment(linkedin_account)
        type(target).objects.filter(id=target.id).update(posted_at=timezone.now() - timedelta(hours=1))
        linkedin_fake.post(target.platform_post_id).deleted = True
        assert delivery_send(delivery_id=delivery.id) == D.FAILED
        delivery.refresh_from_db()
        assert delivery.error_message == DELETED_POST

    def test_it_retries_after_linkedin_rate_limits(self, linkedin_account, linkedin_fake):
        target, delivery = self.published_with_comment(linkedin_account)
        linkedin_fake.fail_next("rate_limit", path="/rest/socialActions/", method="POST", retry_after=120)
        assert delivery_send(delivery_id=delivery.id) == D.PENDING
        delivery.refresh_from_db()
        assert delivery.due_at >= timezone.now() + timedelta(seconds=110) and "rate limit" in delivery.error_message
        assert linkedin_fake.comments_on(target.platform_post_id) == []

    def test_an_expired_token_is_refreshed_and_the_comment_sent(self, linkedin_account, linkedin_fake):
        target, delivery = self.published_with_comment(linkedin_account)
        linkedin_fake.expire(linkedin_account.access_token)
        assert delivery_send(delivery_id=delivery.id) == D.POSTED
        assert len(linkedin_fake.comments_on(target.platform_post_id)) == 1


# --- the API -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_api_refuses_a_comment_too_long_for_linkedin(auth_api):
    account = ConnectedAccountFactory(workspace=auth_api.user.personal_workspace, platform="linkedin",
                                      platform_user_id="urn:li:person:abc", platform_settings={"scopes": MEMBER_ONLY})
    body = {"content": "Hello", "target_accounts": [account.id], "first_comment": {"content": "x" * 1251}}
    answer = auth_api.post("/api/v1/posts/", body, format="json")
    assert answer.status_code == 400
    [problem] = answer.json()["error"]["fields"]["first_comment"]["content"]
    assert problem.startswith("LinkedIn") and problem.endswith("LinkedIn comments allow 1,250 characters; this one has 1,251.")
    body["first_comment"]["content"] = "x" * 1250
    assert auth_api.post("/api/v1/posts/", body, format="json").status_code == 201
