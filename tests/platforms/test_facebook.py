"""The Facebook Page adapter against the Meta fake: the shared contract, photos, video, links,
metrics, delete, reconcile and Meta's error codes."""

import json

import pytest

from social_media.platforms import PlatformFactory
from social_media.platforms.base import (
    AccountDisconnected,
    InvalidContent,
    OutcomeUnknown,
    PlatformError,
    RateLimited,
    TokenExpired,
    TransientError,
)
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory
from tests.platforms.conftest_meta import meta_jpeg, meta_video
from tests.platforms.contract import AdapterContract


class FacebookRemote:
    def __init__(self, fake, account):
        self.fake, self.page_id = fake, account.platform_user_id

    def get_text(self, post_id):
        post = self.fake.posts.get(post_id) or self.fake.videos.get(post_id)
        if post is None or post["deleted"]:
            return None
        return post.get("message", post.get("description"))

    def count_posts(self):
        return len(self.fake.live_posts(self.page_id))


@pytest.fixture
def account(facebook_account):
    return facebook_account


@pytest.fixture
def remote(meta_fake, facebook_account):
    return FacebookRemote(meta_fake, facebook_account)


def target_for(account, content, **settings):
    return PostTargetFactory(post=PostFactory(workspace=account.workspace, content=content), account=account,
                             platform_specific_settings=settings)


class TestFacebookContract(AdapterContract):
    too_long_text = "a" * 63_207


@pytest.mark.django_db(transaction=True)
class TestFacebookPublishing:
    def test_a_text_post_goes_to_the_page_feed_with_the_page_token(self, facebook_account, meta_fake):
        adapter = PlatformFactory.get_platform(facebook_account)
        result = adapter.publish(target_for(facebook_account, "Fresh bread at 7"), "Fresh bread at 7", [])
        [request] = meta_fake.requests_to(f"/{facebook_account.platform_user_id}/feed", method="POST")
        assert request.form["message"] == "Fresh bread at 7"
        assert request.headers["authorization"] == f"Bearer {facebook_account.access_token}"
        assert "access_token" not in request.query and request.query["appsecret_proof"]
        assert result.platform_post_id.startswith(facebook_account.platform_user_id + "_")
        assert result.url == f"https://www.facebook.com/{result.platform_post_id}"

    def test_a_link_from_the_target_settings_is_sent_for_its_preview(self, facebook_account, meta_fake):
        adapter = PlatformFactory.get_platform(facebook_account)
        target = target_for(facebook_account, "Our menu", link="https://example.com/menu")
        result = adapter.publish(target, target.content, [])
        assert meta_fake.posts[result.platform_post_id]["link"] == "https://example.com/menu"

    def test_a_single_photo_carries_the_link_in_its_caption(self, facebook_account, meta_fake):
        adapter = PlatformFactory.get_platform(facebook_account)
        target = target_for(facebook_account, "Our menu", link="https://example.com/menu")
        result = adapter.publish(target, target.content, [meta_jpeg(facebook_account)])
        [request] = meta_fake.requests_to("/photos", method="POST")
        assert request.form["message"] == "Our menu\n\nhttps://example.com/menu"
        assert meta_fake.posts[result.platform_post_id]["message"].endswith("https://example.com/menu")

    def test_a_caption_that_already_holds_the_link_is_not_given_it_twice(self, facebook_account, meta_fake):
        adapter = PlatformFactory.get_platform(facebook_account)
        target = target_for(facebook_account, "Menu: https://example.com/menu today", link="https://example.com/menu")
        adapter.publish(target, target.content, [meta_jpeg(facebook_account)])
        [request] = meta_fake.requests_to("/photos", method="POST")
        assert request.form["message"] == "Menu: https://example.com/menu today"

    def test_a_video_and_several_photos_carry_the_link_in_their_text(self, facebook_account, meta_fake):
        adapter = PlatformFactory.get_platform(facebook_account)
        target = target_for(facebook_account, "Watch", link="https://example.com/v")
        adapter.publish(target, target.content, [meta_video(facebook_account)])
        assert meta_fake.requests_to("/videos", method="POST")[0].form["description"] == "Watch\n\nhttps://example.com/v"
        target = target_for(facebook_account, "Look", link="https://example.com/p")
        adapter.publish(target, target.content, [meta_jpeg(facebook_account), meta_jpeg(facebook_account)])
        [feed] = meta_fake.requests_to("/feed", method="POST")
        assert feed.form["message"] == "Look\n\nhttps://example.com/p" and "link" not in feed.form

    def test_reconcile_finds_a_photo_post_whose_caption_got_the_link(self, facebook_account, meta_fake):
        adapter = PlatformFactory.get_platform(facebook_account)
        target = target_for(facebook_account, "Lost photo", link="https://example.com/x")
        meta_fake.fail_next("error_after_store", path="/photos", method="POST")
        with pytest.raises(OutcomeUnknown):
            adapter.publish(target, target.content, [meta_jpeg(facebook_account)])
        assert adapter.reconcile(target).found is not None

    def test_a_link_that_is_not_a_web_address_is_refused_before_sending(self, facebook_account, meta_fake):
        adapter = PlatformFactory.get_platform(facebook_account)
        with pytest.raises(InvalidContent, match="http"):
            adapter.publish(target_for(facebook_account, "x", link="javascript:alert(1)"), "x", [])
        assert meta_fake.requests_to("/feed") == []

    def test_one_photo_is_uploaded_to_photos_with_the_caption(self, facebook_account, meta_fake):
        adapter = PlatformFactory.get_platform(facebook_account)
        photo = meta_jpeg(facebook_account)
        result = adapter.publish(target_for(facebook_account, "Croissants"), "Croissants", [photo])
        [request] = meta_fake.requests_to("/photos", method="POST")
        assert request.form == {"message": "Croissants", "published": "true"}
        assert request.files["source"]["data"].startswith(b"\xff\xd8") and request.files["source"]["content_type"] == "image/jpeg"
        assert meta_fake.posts[result.platform_post_id]["photos"] and meta_fake.posts[result.platform_post_id]["message"] == "Croissants"

    def test_several_photos_become_one_feed_post_with_attached_media(self, facebook_account, meta_fake):
        adapter = PlatformFactory.get_platform(facebook_account)
        photos = [meta_jpeg(facebook_account) for _ in range(3)]
        result = adapter.publish(target_for(facebook_account, "Three loaves"), "Three loaves", photos)
        uploads = meta_fake.requests_to("/photos", method="POST")
        assert [u.form["published"] for u in uploads] == ["false"] * 3
        [feed] = meta_fake.requests_to("/feed", method="POST")
        attached = [json.loads(feed.form[f"attached_media[{i}]"])["media_fbid"] for i in range(3)]
        assert meta_fake.posts[result.platform_post_id]["photos"] == attached
        assert len(meta_fake.live_posts(facebook_account.platform_user_id)) == 1

    def test_a_video_is_uploaded_to_the_page_videos_on_graph_video(self, facebook_account, meta_fake):
        adapter = PlatformFactory.get_platform(facebook_account)
        result = adapter.publish(target_for(facebook_account, "Watch us bake"), "Watch us bake", [meta_video(facebook_account)])
        [request] = meta_fake.requests_to("/videos", method="POST")
        assert request.form["description"] == "Watch us bake" and request.files["source"]["data"][4:8] == b"ftyp"
        assert meta_fake.videos[result.platform_post_id]["description"] == "Watch us bake"

    def test_validation_names_what_to_change(self, facebook_account):
        adapter = PlatformFactory.get_platform(facebook_account)
        assert adapter.validate("a" * 63_206, []) == []
        [too_long] = adapter.validate("a" * 63_210, [])
        assert "63,206" in too_long and "Remove 4" in too_long
        assert adapter.validate("", []) == ["A Facebook post needs text or media."]
        mixed = adapter.validate("x", [meta_jpeg(facebook_account), meta_video(facebook_account)])
        assert any("one video on its own" in e for e in mixed)
        big = meta_jpeg(facebook_account)
        big = big.__class__(**{**big.__dict__, "file_size": 5 * 1024 * 1024})
        assert any("at most 4 MB" in e for e in adapter.validate("x", [big]))

    def test_metrics_read_reactions_comments_shares_and_the_current_views_metrics(self, facebook_account, meta_fake):
        adapter = PlatformFactory.get_platform(facebook_account)
        result = adapter.publish(target_for(facebook_account, "Count me"), "Count me", [])
        meta_fake.posts[result.platform_post_id].update(reactions=12, comments=3, shares=2, views=450, reach=300)
        metrics = adapter.fetch_metrics(result.platform_post_id)
        assert (metrics.likes, metrics.replies, metrics.reposts, metrics.impressions) == (12, 3, 2, 450)
        assert metrics.raw["viewers"] == 300 and "insights_error" not in metrics.raw
        [insights] = meta_fake.requests_to(f"/{result.platform_post_id}/insights")
        assert insights.query["metric"] == "post_media_view,post_total_media_view_unique"

    def test_video_metrics_ask_the_video_only_for_fields_a_video_has(self, facebook_account, meta_fake):
        adapter = PlatformFactory.get_platform(facebook_account)
        result = adapter.publish(target_for(facebook_account, "Watch"), "Watch", [meta_video(facebook_account)])
        meta_fake.videos[result.platform_post_id].update(likes=5, comments=2, views=80, viewers=60)
        metrics = adapter.fetch_metrics(result.platform_post_id)
        assert (metrics.likes, metrics.replies, metrics.reposts, metrics.impressions) == (5, 2, 0, 80)
        assert metrics.raw["viewers"] == 60
        [read] = [r for r in meta_fake.requests_to(f"/{result.platform_post_id}", method="GET") if "summary" in r.query.get("fields", "")]
        assert "shares" not in read.query["fields"] and "reactions" not in read.query["fields"]
        assert meta_fake.requests_to(f"/{result.platform_post_id}/video_insights")

    def test_metrics_without_the_insights_permission_still_count_engagement(self, facebook_account, meta_fake):
        adapter = PlatformFactory.get_platform(facebook_account)
        result = adapter.publish(target_for(facebook_account, "Quiet"), "Quiet", [])
        meta_fake.posts[result.platform_post_id].update(reactions=1)
        meta_fake.insights_permitted = False
        metrics = adapter.fetch_metrics(result.platform_post_id)
        assert metrics.likes == 1 and metrics.impressions == 0 and metrics.reposts == 0
        assert "read_insights" in metrics.raw["insights_error"]

    def test_metrics_of_a_deleted_post_are_a_permanent_error(self, facebook_account, meta_fake):
        adapter = PlatformFactory.get_platform(facebook_account)
        result = adapter.publish(target_for(facebook_account, "Gone"), "Gone", [])
        adapter.delete(result.platform_post_id)
        with pytest.raises(PlatformError) as caught:
            adapter.fetch_metrics(result.platform_post_id)
        assert not caught.value.retryable


@pytest.mark.django_db(transaction=True)
class TestMetaFakeAnswersLikeGraph:
    """The fake refuses what Graph refuses, so an adapter that asks wrongly fails here as it would live."""

    def get(self, account, path, **params):
        from social_media.platforms.meta.graph import Graph

        return Graph(account.access_token).get(path, **params)

    def test_a_video_has_no_shares_field(self, facebook_account, meta_fake):
        result = PlatformFactory.get_platform(facebook_account).publish(
            target_for(facebook_account, "v"), "v", [meta_video(facebook_account)])
        with pytest.raises(InvalidContent, match=r"nonexisting field \(shares\) on node type \(Video\)"):
            self.get(facebook_account, f"/{result.platform_post_id}", fields="comments.summary(total_count),shares")

    def test_post_impressions_is_an_invalid_metric_since_2025_11_15(self, facebook_account, meta_fake):
        result = PlatformFactory.get_platform(facebook_account).publish(target_for(facebook_account, "p"), "p", [])
        for retired in ("post_impressions", "post_impressions_unique", "post_media_view,post_impressions"):
            with pytest.raises(InvalidContent, match="must be a valid insights metric"):
                self.get(facebook_account, f"/{result.platform_post_id}/insights", metric=retired)
        answer = self.get(facebook_account, f"/{result.platform_post_id}/insights", metric="post_total_media_view_unique")
        assert answer["data"][0]["name"] == "post_total_media_view_unique"

    def test_deleting_a_post_that_is_already_gone_is_not_an_error(self, facebook_account, meta_fake):
        adapter = PlatformFactory.get_platform(facebook_account)
        result = adapter.publish(target_for(facebook_account, "Gone soon"), "Gone soon", [])
        adapter.delete(result.platform_post_id)
        adapter.delete(result.platform_post_id)
        assert meta_fake.posts[result.platform_post_id]["deleted"]

    def test_reconcile_finds_a_post_whose_answer_was_lost(self, facebook_account, meta_fake):
        adapter = PlatformFactory.get_platform(facebook_account)
        target = target_for(facebook_account, "Lost answer")
        meta_fake.fail_next("error_after_store", path="/feed", method="POST")
        with pytest.raises(OutcomeUnknown):
            adapter.publish(target, target.content, [])
        [post] = meta_fake.live_posts(facebook_account.platform_user_id)
        answer = adapter.reconcile(target)
        assert answer.found.platform_post_id == post["id"]

    def test_reconcile_says_not_found_when_the_page_lacks_the_text(self, facebook_account, meta_fake):
        adapter = PlatformFactory.get_platform(facebook_account)
        adapter.publish(target_for(facebook_account, "Another post"), "Another post", [])
        answer = adapter.reconcile(target_for(facebook_account, "Never sent"))
        assert answer.not_found and answer.found is None


@pytest.mark.django_db(transaction=True)
class TestFacebookErrors:
    def publish(self, account, text="Hello"):
        return PlatformFactory.get_platform(account).publish(target_for(account, text), text, [])

    def test_an_expired_token_is_token_expired(self, facebook_account, meta_fake):
        meta_fake.expire(facebook_account.access_token)
        with pytest.raises(TokenExpired, match="expired"):
            self.publish(facebook_account)

    def test_a_revoked_token_disconnects_the_account(self, facebook_account, meta_fake):
        meta_fake.revoke(facebook_account.access_token)
        with pytest.raises(AccountDisconnected, match="reconnect"):
            self.publish(facebook_account)
        assert meta_fake.live_posts(facebook_account.platform_user_id) == []

    def test_a_page_rate_limit_waits_for_the_time_meta_states(self, facebook_account, meta_fake):
        meta_fake.fail_next("rate_limit", path="/feed", code=32, regain_minutes=7)
        with pytest.raises(RateLimited) as caught:
            self.publish(facebook_account)
        assert caught.value.retry_after == 420

    def test_an_app_rate_limit_without_a_stated_time_waits_a_few_minutes(self, facebook_account, meta_fake):
        meta_fake.fail_next("error", path="/feed", code=4, message="(#4) Application request limit reached")
        with pytest.raises(RateLimited) as caught:
            self.publish(facebook_account)
        assert caught.value.retry_after == 300

    def test_a_temporary_block_is_a_long_rate_limit(self, facebook_account, meta_fake):
        meta_fake.fail_next("error", path="/feed", code=368, message="It looks like you were misusing this feature by going too fast.")
        with pytest.raises(RateLimited, match="temporarily blocked") as caught:
            self.publish(facebook_account)
        assert caught.value.retry_after == 3600

    def test_a_5xx_on_create_is_an_unknown_outcome_but_before_create_is_transient(self, facebook_account, meta_fake):
        meta_fake.fail_next("server_error", path="/feed")
        with pytest.raises(OutcomeUnknown):
            self.publish(facebook_account)
        meta_fake.fail_next("server_error", path="/photos")
        with pytest.raises(TransientError):
            PlatformFactory.get_platform(facebook_account).publish(
                target_for(facebook_account, "two"), "two", [meta_jpeg(facebook_account), meta_jpeg(facebook_account)])

    def test_a_timeout_after_sending_is_an_unknown_outcome(self, facebook_account, meta_fake, settings):
        settings.META_TIMEOUT_SECONDS = 1
        meta_fake.fail_next("timeout", path="/feed", delay=2)
        with pytest.raises(OutcomeUnknown):
            self.publish(facebook_account)

    def test_meta_rejecting_the_content_is_invalid_content_with_its_message(self, facebook_account, meta_fake):
        meta_fake.fail_next("error", path="/feed", code=100, message="(#100) Invalid parameter")
        with pytest.raises(InvalidContent, match="Invalid parameter"):
            self.publish(facebook_account)


@pytest.mark.django_db(transaction=True)
class TestMetaLogin:
    """Both kinds of Meta app, and Pages a Business portfolio gives access to (the fake plays facebook.com)."""

    REDIRECT = "http://testserver/api/v1/accounts/callback/facebook/"

    def login(self, meta_fake, user):
        import requests
        from urllib.parse import parse_qs, urlsplit

        meta_fake.login = user["id"]
        adapter = PlatformFactory.adapter_class("facebook")
        url = adapter.authorization_url(state="s", redirect_uri=self.REDIRECT, code_challenge="")
        answer = requests.get(url, allow_redirects=False, timeout=10)
        return url, answer, {k: v[0] for k, v in parse_qs(urlsplit(answer.headers.get("Location", "")).query).items()}

    def test_a_classic_facebook_login_app_asks_for_scopes(self, meta_settings, meta_fake):
        from urllib.parse import parse_qs, urlsplit

        user = meta_fake.add_user("Ada")
        meta_fake.add_page(user, "Bakery")
        url, answer, _query = self.login(meta_fake, user)
        params = parse_qs(urlsplit(url).query)
        assert "pages_manage_posts" in params["scope"][0] and "config_id" not in params
        assert answer.status_code == 302

    def test_a_login_for_business_app_sends_its_configuration_instead_of_scopes(self, meta_settings, meta_fake, settings):
        from urllib.parse import parse_qs, urlsplit

        user = meta_fake.add_user("Ada")
        page = meta_fake.add_page(user, "Bakery")
        meta_fake.login_config_ids = {"1234567890"}
        _url, refused, _query = self.login(meta_fake, user)  # no config_id: Meta shows "this app isn't available"
        assert refused.status_code == 200 and "isn't available" in refused.text
        settings.META_LOGIN_CONFIG_ID = "1234567890"
        url, answer, query = self.login(meta_fake, user)
        params = parse_qs(urlsplit(url).query)
        assert params["config_id"] == ["1234567890"] and "scope" not in params and answer.status_code == 302
        profiles = PlatformFactory.adapter_class("facebook").exchange_code(code=query["code"], redirect_uri=self.REDIRECT, code_verifier="")
        assert [p.platform_user_id for p in profiles] == [page["id"]]

    def test_pages_reachable_only_through_a_business_portfolio_are_found_once(self, meta_settings, meta_fake):
        user = meta_fake.add_user("Ada")
        direct = meta_fake.add_page(user, "Ada's own Page")
        owned = meta_fake.add_loose_page("Ada Ltd", instagram="adaltd")
        client = meta_fake.add_loose_page("A client's Page")
        meta_fake.add_loose_page("Someone else's Page")
        meta_fake.add_business("Ada Ltd", people=[user], owned=[owned, direct], client=[client])
        _url, _answer, query = self.login(meta_fake, user)
        profiles = PlatformFactory.adapter_class("facebook").exchange_code(code=query["code"], redirect_uri=self.REDIRECT, code_verifier="")
        found = [(p.platform, p.display_name) for p in profiles]
        assert found == [("facebook", "Ada's own Page"), ("facebook", "Ada Ltd"), ("instagram", "Ada Ltd"), ("facebook", "A client's Page")]
        business_page = next(p for p in profiles if p.display_name == "Ada Ltd" and p.platform == "facebook")
        account = ConnectedAccountFactory(platform="facebook", platform_user_id=business_page.platform_user_id,
                                          access_token=business_page.tokens.access_token, refresh_token=business_page.tokens.refresh_token,
                                          platform_settings=business_page.platform_settings)
        result = PlatformFactory.get_platform(account).publish(target_for(account, "Via the portfolio"), "Via the portfolio", [])
        assert meta_fake.posts[result.platform_post_id]["page_id"] == owned["id"]
        assert PlatformFactory.get_platform(account).refresh_access_token().access_token  # the login renews its Page token too


@pytest.mark.django_db(transaction=True)
class TestFacebookMetricsCollection:
    """The analytics collector reading Facebook through the adapter and the fake (analytics.collectors)."""

    def posted(self, account, platform_post_id):
        from django.utils import timezone

        from social_media.models import Status

        return PostTargetFactory(post=PostFactory(workspace=account.workspace, content="x", status=Status.POSTED), account=account,
                                 status=Status.POSTED, platform_post_id=platform_post_id, posted_at=timezone.now())

    def test_a_video_is_collected_instead_of_failing_on_shares(self, facebook_account, meta_fake):
        from analytics.collectors import collect_target_metrics
        from analytics.models import CollectionFailure

        result = PlatformFactory.get_platform(facebook_account).publish(
            target_for(facebook_account, "v"), "v", [meta_video(facebook_account)])
        meta_fake.videos[result.platform_post_id].update(likes=4, comments=1, views=70, viewers=50)
        row = collect_target_metrics(target_id=self.posted(facebook_account, result.platform_post_id).id)
        assert (row.likes, row.replies, row.impressions) == (4, 1, 70)
        assert not CollectionFailure.objects.exists()

    def test_a_permanent_refusal_is_recorded_and_not_retried_by_the_task(self, facebook_account, meta_fake):
        from analytics.collectors import collect_target_metrics
        from analytics.models import CollectionFailure, PostAnalytics

        adapter = PlatformFactory.get_platform(facebook_account)
        result = adapter.publish(target_for(facebook_account, "gone"), "gone", [])
        adapter.delete(result.platform_post_id)
        target = self.posted(facebook_account, result.platform_post_id)
        assert collect_target_metrics(target_id=target.id) is None  # returns: the task's autoretry (rate limits, transient) never sees it
        failure = CollectionFailure.objects.get(target=target)
        assert failure.error_class in ("InvalidContent", "PlatformError") and "does not exist" in failure.message
        assert not PostAnalytics.objects.filter(target=target).exists()
