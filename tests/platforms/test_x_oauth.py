"""Connecting X accounts against the X fake: the OAuth 2.0 authorization code flow with PKCE,
rotating refresh tokens, credential checks, and tokens kept out of log lines."""

import io
import logging
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.utils import timezone

from config.logging import RedactSecretsFilter
from social_media.platforms import PlatformFactory
from social_media.platforms.base import AccountDisconnected, TransientError, pkce_pair
from social_media.platforms.x import XAdapter
from tests.factories import PostFactory, PostTargetFactory
from tests.platforms.conftest_x import X_CLIENT_ID, png

pytestmark = [pytest.mark.network, pytest.mark.django_db(transaction=True)]
REDIRECT_URI = "http://127.0.0.1:8000/api/accounts/connect/x/callback/"


def test_it_builds_the_authorization_url_with_pkce_and_the_needed_scopes(x_settings):
    url = XAdapter.authorization_url(state="state-1", redirect_uri=REDIRECT_URI, code_challenge="challenge-1")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == x_settings.X_AUTHORIZE_URL
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": [X_CLIENT_ID], "redirect_uri": [REDIRECT_URI],
        "scope": ["tweet.read tweet.write users.read offline.access media.write"], "state": ["state-1"],
        "code_challenge": ["challenge-1"], "code_challenge_method": ["S256"],
    }


def authorize(fake, user, state="state-1"):
    verifier, challenge = pkce_pair()
    fake.login_as(user)
    url = XAdapter.authorization_url(state=state, redirect_uri=REDIRECT_URI, code_challenge=challenge)
    answer = requests.get(url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["state"] == [state]
    return query["code"][0], verifier


def test_it_connects_an_account_through_the_code_flow(x_settings, x_fake):
    user = x_fake.add_user("premium_poster", name="Premium Poster", subscription_type="Premium")
    code, verifier = authorize(x_fake, user)
    before = timezone.now()

    profile = XAdapter.exchange_code(code=code, redirect_uri=REDIRECT_URI, code_verifier=verifier)

    assert (profile.platform_user_id, profile.platform_username, profile.display_name) == (user.id, "premium_poster", "Premium Poster")
    assert profile.platform_settings == {"subscription_type": "Premium", "max_weighted_length": 25_000}
    assert profile.tokens.access_token in x_fake.access_tokens and profile.tokens.refresh_token in x_fake.refresh_tokens
    assert before + timedelta(seconds=7190) < profile.tokens.expires_at < timezone.now() + timedelta(seconds=7210)
    token_request = x_fake.requests_to("/2/oauth2/token")[0]
    assert token_request.form == {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
                                  "code_verifier": verifier, "client_id": X_CLIENT_ID}
    assert token_request.headers["authorization"].startswith("Basic ")
    assert x_fake.requests_to("/2/users/me")[0].query == {"user.fields": "subscription_type,profile_image_url"}
    assert profile.avatar_url == f"{x_fake.base_url}/profile_images/{user.id}/avatar_normal.png"


def test_it_refuses_a_code_whose_verifier_does_not_match(x_settings, x_fake):
    code, _verifier = authorize(x_fake, x_fake.add_user())
    other_verifier, _ = pkce_pair()
    with pytest.raises(AccountDisconnected, match="code verifier was invalid"):
        XAdapter.exchange_code(code=code, redirect_uri=REDIRECT_URI, code_verifier=other_verifier)


def test_it_reports_wrong_client_credentials_as_a_refused_authorization(x_settings, x_fake):
    code, verifier = authorize(x_fake, x_fake.add_user())
    x_settings.X_CLIENT_SECRET = "not-the-secret"
    with pytest.raises(AccountDisconnected) as caught:
        XAdapter.exchange_code(code=code, redirect_uri=REDIRECT_URI, code_verifier=verifier)
    assert caught.value.http_status == 401 and "not-the-secret" not in caught.value.message


def test_it_rotates_the_refresh_token_and_the_old_one_stops_working(x_account, x_fake):
    old_refresh = x_account.refresh_token
    tokens = PlatformFactory.get_platform(x_account).refresh_access_token()

    assert tokens.refresh_token and tokens.refresh_token != old_refresh
    assert tokens.expires_at > timezone.now() + timedelta(seconds=7000)
    assert x_fake.requests_to("/2/oauth2/token")[0].form == {"grant_type": "refresh_token", "refresh_token": old_refresh, "client_id": X_CLIENT_ID}
    x_account.access_token, x_account.refresh_token = tokens.access_token, tokens.refresh_token
    assert PlatformFactory.get_platform(x_account).verify_credentials().platform_user_id == x_account.platform_user_id

    x_account.refresh_token = old_refresh
    with pytest.raises(AccountDisconnected, match="invalid_grant|token was invalid"):
        PlatformFactory.get_platform(x_account).refresh_access_token()


def test_it_reports_a_token_endpoint_outage_as_transient(x_account, x_fake):
    x_fake.fail_next("server_error", path="/2/oauth2/token")
    with pytest.raises(TransientError):
        PlatformFactory.get_platform(x_account).refresh_access_token()
    assert x_account.refresh_token in x_fake.refresh_tokens and not x_fake.refresh_tokens[x_account.refresh_token]["used"]


def test_it_verifies_credentials_and_reads_the_standard_length_limit(x_account):
    profile = PlatformFactory.get_platform(x_account).verify_credentials()
    assert profile.platform_user_id == x_account.platform_user_id
    assert profile.platform_settings == {"subscription_type": "None", "max_weighted_length": 280}


def test_it_keeps_tokens_out_of_debug_log_lines(x_account, x_fake):
    """tweepy logs request headers at DEBUG; the project's log filter (on every handler in LOGGING)
    must leave no bearer token in what is written."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecretsFilter())
    loggers = [logging.getLogger(name) for name in ("tweepy", "urllib3", "social_media")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        adapter = PlatformFactory.get_platform(x_account)
        target = PostTargetFactory(post=PostFactory(workspace=x_account.workspace, content="Logged quietly"), account=x_account)
        adapter.publish(target, target.content, [png(x_account, "alt")])
        adapter.refresh_access_token()
    finally:
        for logger, level in zip(loggers, levels):
            logger.removeHandler(handler)
            logger.setLevel(level)
    output = stream.getvalue()
    assert "Making API request: POST https://api.twitter.com/2/tweets" in output and "Bearer [redacted]" in output
    assert x_account.access_token not in output and x_account.refresh_token not in output
