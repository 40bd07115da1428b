"""How the X adapter classifies every way X (or the connection to it) can fail, using the fake's fault
hooks. Each test asserts the error class the engine decides on, and what the fake holds afterwards."""

import time

import pytest
from django.core.exceptions import ImproperlyConfigured

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
from tests.factories import PostFactory, PostTargetFactory
from tests.platforms.conftest_x import png
from tests.services import free_port

pytestmark = [pytest.mark.network, pytest.mark.django_db(transaction=True)]


def publish(account, content, media=()):
    target = PostTargetFactory(post=PostFactory(workspace=account.workspace, content=content), account=account)
    return PlatformFactory.get_platform(account).publish(target, content, list(media)), target


def posts_of(fake, account):
    return [p for p in fake.posts if p.author_id == account.platform_user_id and not p.deleted]


def raises(exc_class, account, content, media=()):
    with pytest.raises(exc_class) as caught:
        publish(account, content, media)
    assert account.access_token not in caught.value.message and account.refresh_token not in caught.value.message
    return caught.value


def test_it_turns_429_into_rate_limited_with_the_reset_from_x_rate_limit_reset(x_account, x_fake):
    x_fake.fail_next("rate_limit", path="/2/tweets", method="POST", retry_after=90)
    error = raises(RateLimited, x_account, "Too eager")
    assert 85 <= error.retry_after <= 90 and error.http_status == 429 and error.retryable
    assert posts_of(x_fake, x_account) == []


def test_it_waits_for_the_24_hour_post_cap_when_that_is_what_ran_out(x_account, x_fake):
    now = int(time.time())
    headers = {"x-rate-limit-reset": str(now + 60), "x-user-limit-24hour-limit": "100",
               "x-user-limit-24hour-remaining": "0", "x-user-limit-24hour-reset": str(now + 3600)}
    body = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
    x_fake.fail_next("status", path="/2/tweets", method="POST", status=429, body=body, headers=headers)
    error = raises(RateLimited, x_account, "Over the daily cap")
    assert 3590 <= error.retry_after <= 3600


def test_it_turns_a_server_error_into_a_transient_error(x_account, x_fake):
    x_fake.fail_next("server_error", path="/2/tweets", status=500)
    error = raises(TransientError, x_account, "Server trouble")
    assert error.http_status == 500 and error.retryable
    assert posts_of(x_fake, x_account) == []


def test_it_turns_an_expired_token_into_token_expired(x_account, x_fake):
    x_fake.expire(x_account.access_token)
    error = raises(TokenExpired, x_account, "Stale token")
    assert error.http_status == 401


def test_it_rejects_duplicate_content_as_invalid_content(x_account, x_fake):
    publish(x_account, "Same words twice")
    error = raises(InvalidContent, x_account, "Same   words twice")
    assert error.message == "X rejected the post: You are not allowed to create a Tweet with duplicate content."
    assert error.http_status == 403 and len(posts_of(x_fake, x_account)) == 1


def test_it_turns_a_suspended_account_into_account_disconnected(x_account, x_fake):
    body = {"title": "Forbidden", "type": "about:blank", "status": 403,
            "detail": "Your account is suspended and is not permitted to access this feature."}
    x_fake.fail_next("status", path="/2/tweets", status=403, body=body)
    error = raises(AccountDisconnected, x_account, "From a suspended account")
    assert "suspended" in error.message


def test_it_reports_an_app_x_does_not_accept_as_a_permanent_app_problem_not_bad_content(x_account, x_fake):
    body = {"title": "Client Forbidden", "type": "https://api.x.com/2/problems/client-forbidden", "reason": "client-not-enrolled",
            "detail": "When authenticating requests to the X API v2 endpoints, you must use keys and tokens from an App attached to a Project."}
    x_fake.fail_next("status", path="/2/tweets", status=403, body=body)
    error = raises(PlatformError, x_account, "From an unenrolled app")
    assert type(error) is PlatformError and not error.retryable
    assert error.message.startswith("X refused this app's credentials: When authenticating")


def test_it_turns_a_missing_oauth_scope_into_account_disconnected(x_account, x_fake):
    user = x_fake.users[x_account.platform_user_id]
    x_account.access_token = x_fake.issue_tokens(user, scope="tweet.read tweet.write users.read offline.access")["access_token"]
    error = raises(AccountDisconnected, x_account, "Needs media.write", [png(x_account)])
    assert "media.write" in error.message


def test_it_turns_a_bad_request_into_invalid_content_with_xs_message(x_account, x_fake):
    body = {"errors": [{"parameters": {"media.media_ids": ["1"]}, "message": "Your media IDs are invalid."}],
            "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.x.com/2/problems/invalid-request"}
    x_fake.fail_next("status", path="/2/tweets", status=400, body=body)
    error = raises(InvalidContent, x_account, "Bad media")
    assert error.message == "X rejected the post: Your media IDs are invalid."


def test_it_passes_on_xs_own_length_refusal(x_account, x_fake):
    x_account.platform_settings = {"max_weighted_length": 25_000}  # we believe the account is paid; X does not
    error = raises(InvalidContent, x_account, "a" * 300)
    assert error.message.startswith("X rejected the post: Your Tweet text is too long.")


def test_it_reports_a_timeout_after_sending_as_outcome_unknown_and_reconcile_finds_the_post(x_account, x_fake, x_settings):
    x_settings.X_TIMEOUT_SECONDS = 0.5
    x_fake.fail_next("timeout", path="/2/tweets", method="POST", delay=2)
    target = PostTargetFactory(post=PostFactory(workspace=x_account.workspace, content="Slow network"), account=x_account)
    adapter = PlatformFactory.get_platform(x_account)
    with pytest.raises(OutcomeUnknown):
        adapter.publish(target, target.content, [])

    [stored] = posts_of(x_fake, x_account)
    assert adapter.reconcile(target).found.platform_post_id == stored.id


def test_it_reports_a_connection_dropped_after_the_post_was_stored_as_outcome_unknown(x_account, x_fake):
    x_fake.fail_next("drop_after_store", path="/2/tweets", method="POST")
    target = PostTargetFactory(post=PostFactory(workspace=x_account.workspace, content="Lost answer"), account=x_account)
    adapter = PlatformFactory.get_platform(x_account)
    with pytest.raises(OutcomeUnknown):
        adapter.publish(target, target.content, [])
    assert adapter.reconcile(target).found.platform_post_id == posts_of(x_fake, x_account)[0].id


def test_it_reports_a_dropped_connection_as_outcome_unknown_and_reconcile_says_not_found(x_account, x_fake):
    x_fake.fail_next("drop", path="/2/tweets", method="POST")
    target = PostTargetFactory(post=PostFactory(workspace=x_account.workspace, content="Never arrived"), account=x_account)
    adapter = PlatformFactory.get_platform(x_account)
    with pytest.raises(OutcomeUnknown):
        adapter.publish(target, target.content, [])
    assert posts_of(x_fake, x_account) == []
    assert adapter.reconcile(target).not_found is True


def test_it_reports_a_refused_connection_as_transient(x_account, x_settings):
    x_settings.X_API_BASE_URL = f"http://127.0.0.1:{free_port()}"
    error = raises(TransientError, x_account, "Nobody home")
    assert error.retryable


def test_it_retries_a_timed_out_read_as_transient_not_unknown(x_account, x_fake, x_settings):
    post, _target = publish(x_account, "Metrics later")
    x_settings.X_TIMEOUT_SECONDS = 0.5
    x_fake.fail_next("timeout", path="/2/tweets/", method="GET", delay=2)
    with pytest.raises(TransientError):
        PlatformFactory.get_platform(x_account).fetch_metrics(post.platform_post_id)


def test_it_fails_a_media_upload_error_before_creating_the_post(x_account, x_fake):
    x_fake.fail_next("server_error", path="/2/media/upload", method="POST")
    raises(TransientError, x_account, "Upload trouble", [png(x_account)])
    assert x_fake.requests_to("/2/tweets", "POST") == [] and posts_of(x_fake, x_account) == []


def test_it_turns_a_refused_refresh_into_account_disconnected(x_account, x_fake):
    x_fake.refresh_tokens[x_account.refresh_token]["used"] = True  # revoked / already rotated elsewhere
    with pytest.raises(AccountDisconnected) as caught:
        PlatformFactory.get_platform(x_account).refresh_access_token()
    assert caught.value.http_status == 400 and x_account.refresh_token not in caught.value.message


def test_it_rate_limits_a_refresh_with_the_reset_time(x_account, x_fake):
    x_fake.fail_next("rate_limit", path="/2/oauth2/token", retry_after=30)
    started = time.time()
    with pytest.raises(RateLimited) as caught:
        PlatformFactory.get_platform(x_account).refresh_access_token()
    assert 25 <= caught.value.retry_after <= 30 + (time.time() - started)


@pytest.mark.parametrize("url, insecure_allowed", [("http://127.0.0.1:9", False), ("http://api.example.com", True), ("ftp://api.x.com", True)])
def test_it_refuses_non_https_base_urls_except_loopback_in_tests(x_account, x_settings, url, insecure_allowed):
    x_settings.X_API_BASE_URL, x_settings.ALLOW_INSECURE_NETWORK_URLS = url, insecure_allowed
    with pytest.raises(ImproperlyConfigured, match="X_API_BASE_URL must be an https:// URL"):
        publish(x_account, "Over plain http")
