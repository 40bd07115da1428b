"""Connecting Threads through our API and callback, and keeping its long-lived token alive."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from social_media.models import ConnectedAccount, Status
from social_media.platforms import PlatformFactory
from social_media.platforms.base import AccountDisconnected, TransientError
from social_media.services.publishing import target_publish
from social_media.services.tokens import refresh_expiring_tokens
from tests.connect.helpers import follow_authorization, raw_column
from tests.connect.test_connect_flows import confirm
from tests.engine.conftest import due_target

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def threads_user(threads_settings, threads_fake):
    threads_settings.PUBLIC_BASE_URL = "http://testserver"
    user = threads_fake.add_user("carol", "Carol C")
    threads_fake.authorize_as = user
    return user


def test_threads_connects_with_a_long_lived_token(auth_api, threads_user, threads_fake, client):
    answer = auth_api.post("/api/v1/accounts/connect/threads/", {})
    assert answer.status_code == 200, answer.content
    url = answer.json()["authorization_url"]
    params = parse_qs(urlsplit(url).query)
    assert params["client_id"] == ["threads-app"] and params["response_type"] == ["code"]
    assert set(params["scope"][0].split(",")) >= {"threads_basic", "threads_content_publish", "threads_manage_insights", "threads_delete"}
    assert params["redirect_uri"] == ["http://testserver/api/v1/accounts/callback/threads/"]

    page = client.get(*follow_authorization(url))
    assert not ConnectedAccount.objects.exists()  # nothing until the signed-in user confirms
    [shown] = confirm(auth_api, page)
    account = ConnectedAccount.objects.get(platform="threads")
    assert shown["id"] == account.id and "access_token" not in shown
    assert (account.platform_user_id, account.platform_username, account.display_name) == (threads_user.id, "carol", "Carol C")
    assert threads_fake.tokens[account.access_token]["expires_at"] - timezone.now().timestamp() > 59 * 86400  # the long-lived one
    assert timedelta(days=59) < account.token_expires_at - timezone.now() <= timedelta(days=60)
    assert raw_column("social_media_connectedaccount", "access_token", account.id).startswith("enc1:")
    exchange = threads_fake.requests_to("/oauth/access_token", "POST")[0]
    assert exchange.form["client_secret"] == "threads-secret" and exchange.form["grant_type"] == "authorization_code"
    assert threads_fake.requests_to("/access_token")[0].query["grant_type"] == "th_exchange_token"


def test_a_denied_threads_authorization_connects_nothing(auth_api, threads_user, client):
    url = auth_api.post("/api/v1/accounts/connect/threads/", {}).json()["authorization_url"]
    state = parse_qs(urlsplit(url).query)["state"][0]
    page = client.get("/api/v1/accounts/callback/threads/", {"state": state, "error": "access_denied", "error_reason": "user_denied"})
    assert page.status_code == 400 and b"declined" in page.content
    assert not ConnectedAccount.objects.exists()


def test_a_refused_code_is_explained(auth_api, threads_user, client):
    url = auth_api.post("/api/v1/accounts/connect/threads/", {}).json()["authorization_url"]
    state = parse_qs(urlsplit(url).query)["state"][0]
    page = client.get("/api/v1/accounts/callback/threads/", {"state": state, "code": "forged"})
    assert page.status_code == 400 and b"Invalid verification code" in page.content
    assert not ConnectedAccount.objects.exists()


def test_threads_without_credentials_answers_a_clear_error_naming_the_settings(auth_api, settings):
    settings.THREADS_APP_ID = ""
    answer = auth_api.post("/api/v1/accounts/connect/threads/", {})
    assert answer.status_code == 503
    assert "THREADS_APP_ID" in answer.json()["error"]["message"]


def test_the_daily_job_renews_a_threads_token_before_it_expires(threads_account, threads_fake):
    old = threads_account.access_token
    ConnectedAccount.objects.filter(id=threads_account.id).update(token_expires_at=timezone.now() + timedelta(days=3))
    assert refresh_expiring_tokens() == (1, 0, 0)
    threads_account.refresh_from_db()
    assert threads_account.access_token != old and threads_account.access_token in threads_fake.tokens
    assert threads_account.token_expires_at > timezone.now() + timedelta(days=59)
    assert threads_fake.requests_to("/refresh_access_token")[0].query["grant_type"] == "th_refresh_token"


def test_a_threads_token_far_from_expiry_is_left_alone(threads_account, threads_fake):
    assert refresh_expiring_tokens() == (0, 0, 0)
    assert threads_fake.requests_to("/refresh_access_token") == []


def test_an_expired_threads_token_cannot_be_renewed_and_asks_for_reconnect(threads_account, threads_fake):
    threads_fake.expire(threads_account.access_token)
    ConnectedAccount.objects.filter(id=threads_account.id).update(token_expires_at=timezone.now() + timedelta(hours=1))
    target = due_target(threads_account, "Will not go out")
    outcome = target_publish(target_id=target.id)
    threads_account.refresh_from_db()
    assert outcome.status == Status.FAILED and threads_account.needs_reconnect
    assert "Threads" in threads_account.last_error


def test_a_token_too_young_to_renew_is_retried_by_the_next_daily_run_not_disconnected(threads_account, threads_fake):
    threads_fake.min_refresh_age = 86400
    with pytest.raises(TransientError, match="24 hours"):
        PlatformFactory.get_platform(threads_account).refresh_access_token()
    ConnectedAccount.objects.filter(id=threads_account.id).update(token_expires_at=timezone.now() + timedelta(days=3))
    assert refresh_expiring_tokens() == (0, 0, 1)
    threads_account.refresh_from_db()
    assert not threads_account.needs_reconnect and "will retry" in threads_account.last_error


def test_refreshing_an_expired_threads_token_disconnects_with_a_reason(threads_account, threads_fake):
    threads_fake.expire(threads_account.access_token)
    with pytest.raises(AccountDisconnected, match="expired before it could be renewed"):
        PlatformFactory.get_platform(threads_account).refresh_access_token()
