"""Bluesky sessions against the reference PDS: app-password login, verification, refresh (which rotates
the refresh JWT), and what an expired, revoked or taken-down session becomes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from social_media.platforms import PlatformFactory
from social_media.platforms.base import AccountDisconnected, PlatformError, TokenExpired
from social_media.platforms.bluesky import BlueskyAdapter
from tests.factories import PostFactory, PostTargetFactory

pytestmark = [pytest.mark.network, pytest.mark.django_db]


@pytest.fixture
def account(connect_bluesky):
    return connect_bluesky()


def make_target(account, content):
    return PostTargetFactory(post=PostFactory(workspace=account.workspace, content=content), account=account)


# --- connect ----------------------------------------------------------------------------------
def test_it_connects_with_an_app_password_and_reads_the_profile(bluesky_pds):
    alice = bluesky_pds.create_account()
    login = bluesky_pds.xrpc("POST", "com.atproto.server.createSession", json={"identifier": alice.handle, "password": alice.password})
    bluesky_pds.xrpc(
        "POST", "com.atproto.repo.putRecord", token=login.json()["accessJwt"],
        json={"repo": alice.did, "collection": "app.bsky.actor.profile", "rkey": "self",
              "record": {"$type": "app.bsky.actor.profile", "displayName": "Alice Liddell"}},
    ).raise_for_status()

    profile = BlueskyAdapter.connect_with_password(identifier=f"@{alice.handle}", password=alice.app_password, service_url=bluesky_pds.base_url)

    assert (profile.platform_user_id, profile.platform_username, profile.display_name) == (alice.did, alice.handle, "Alice Liddell")
    assert profile.instance_url == bluesky_pds.base_url
    assert profile.platform_settings["max_characters"] == 300
    tokens = profile.tokens
    assert tokens.access_token.count(".") == 2 and tokens.refresh_token.count(".") == 2
    assert tokens.access_token != tokens.refresh_token
    # The PDS issues app-password access tokens for two hours; expires_at is the JWT's own exp.
    assert timedelta(minutes=115) < tokens.expires_at - timezone.now() <= timedelta(hours=2)


def test_it_rejects_a_wrong_app_password_with_a_clear_message(bluesky_pds):
    alice = bluesky_pds.create_account()
    with pytest.raises(AccountDisconnected) as caught:
        BlueskyAdapter.connect_with_password(identifier=alice.handle, password="wrong-pass-word", service_url=bluesky_pds.base_url)
    assert caught.value.message == "Bluesky rejected the handle or app password."
    assert caught.value.http_status == 401


def test_it_refuses_a_plain_http_service_url_that_is_not_loopback():
    with pytest.raises(PlatformError, match="https://"):
        BlueskyAdapter.connect_with_password(identifier="alice.test", password="x", service_url="http://pds.example.com")


def test_it_verifies_credentials_against_the_stored_session(account):
    profile = PlatformFactory.get_platform(account).verify_credentials()
    assert (profile.platform_user_id, profile.platform_username) == (account.platform_user_id, account.platform_username)
    assert profile.tokens is None


# --- sessions ---------------------------------------------------------------------------------
def test_it_refreshes_the_session_and_rotates_the_refresh_token(account):
    old_refresh = account.refresh_token
    tokens = PlatformFactory.get_platform(account).refresh_access_token()

    assert tokens.refresh_token and tokens.refresh_token != old_refresh
    assert tokens.access_token.count(".") == 2  # (same-second access JWTs may be identical: no jti)
    assert tokens.expires_at > timezone.now() + timedelta(minutes=100)
    account.access_token, account.refresh_token = tokens.access_token, tokens.refresh_token
    account.save()
    target = make_target(account, "Posted with the refreshed session")
    assert PlatformFactory.get_platform(account).publish(target, target.content, []).platform_post_id
    assert PlatformFactory.get_platform(account).refresh_access_token().refresh_token not in (old_refresh, tokens.refresh_token)


def test_it_disconnects_when_the_app_password_was_revoked(account, bluesky_pds):
    login = bluesky_pds.xrpc(
        "POST", "com.atproto.server.createSession", json={"identifier": account.platform_username, "password": account.pds_account.password}
    )
    bluesky_pds.xrpc("POST", "com.atproto.server.revokeAppPassword", token=login.json()["accessJwt"], json={"name": "scheduler"}).raise_for_status()

    with pytest.raises(AccountDisconnected) as caught:
        PlatformFactory.get_platform(account).refresh_access_token()
    assert "reconnect" in caught.value.message
    assert account.refresh_token not in caught.value.message


def test_it_raises_token_expired_when_the_access_token_has_expired(account, bluesky_pds):
    account.access_token = bluesky_pds.expired_access_token(account.access_token)
    target = make_target(account, "Too late")
    with pytest.raises(TokenExpired):
        PlatformFactory.get_platform(account).publish(target, target.content, [])
    assert bluesky_pds.list_posts(account.platform_user_id) == []


def test_it_disconnects_a_taken_down_account(account, bluesky_pds):
    bluesky_pds.takedown(account.platform_user_id)
    target = make_target(account, "Suspended")
    with pytest.raises(AccountDisconnected) as caught:
        PlatformFactory.get_platform(account).publish(target, target.content, [])
    assert "taken down" in caught.value.message
