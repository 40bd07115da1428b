"""The audit's SSRF reproductions through the API and the engine, with loopback stand-ins: an "instance"
that answers 302 to a second server (standing for 169.254.169.254), which must receive nothing; names
that resolve, or later re-resolve, to private addresses; stored instance URLs checked again on use.

Each test allows exactly the stand-in instance's port (the test settings allow all of 127.0.0.1), so
the second server on another port of 127.0.0.1 is as unreachable as the metadata service would be."""

import socket

import pytest

from social_media.models import ConnectedAccount, OAuthApp, OAuthState, Status
from social_media.platforms import PlatformFactory
from social_media.platforms.base import AccountDisconnected
from social_media.services.publishing import target_publish
from tests.engine.conftest import due_target
from tests.factories import ConnectedAccountFactory
from tests.platforms.ssrf_servers import Recorder, ScriptedResolver, redirecting_to

pytestmark = pytest.mark.django_db(transaction=True)

METADATA = "/latest/meta-data/iam/security-credentials/"


@pytest.fixture
def internal():
    server = Recorder()  # answers like a metadata service, with "client_id" and "client_secret" to steal
    yield server
    server.stop()


@pytest.fixture
def hostile(internal, settings):
    """The instance a user types: it redirects every request to the internal server."""
    server = Recorder(answer=redirecting_to(internal.base_url + METADATA))
    settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES = f"127.0.0.1:{server.port}"
    settings.PUBLIC_BASE_URL = "http://testserver"
    yield server
    server.stop()


def field_errors(answer):
    assert answer.status_code == 400, answer.content
    return answer.json()["error"]["fields"]


@pytest.mark.parametrize("status", [302, 307])
def test_connecting_a_mastodon_instance_that_redirects_inside_is_refused(auth_api, hostile, internal, status):
    hostile.answer = redirecting_to(internal.base_url + METADATA, status)
    answer = auth_api.post("/api/v1/accounts/connect/mastodon/", {"instance_url": hostile.base_url})
    [message] = field_errors(answer)["instance_url"]
    assert "127.0.0.1 is not a public internet address" in message
    assert hostile.requests == [("POST", "/api/v1/apps")]  # the app registration reached the instance...
    assert internal.requests == []  # ...and its redirect went nowhere
    assert not OAuthApp.objects.exists() and not OAuthState.objects.exists()


def test_connecting_bluesky_through_a_service_that_redirects_inside_is_refused(auth_api, hostile, internal):
    body = {"handle": "alice.test", "app_password": "aaaa-bbbb-cccc-dddd", "service_url": hostile.base_url}
    answer = auth_api.post("/api/v1/accounts/connect/bluesky/", body)
    [message] = field_errors(answer)["service_url"]
    assert "127.0.0.1 is not a public internet address" in message
    assert hostile.requests == [("POST", "/xrpc/com.atproto.server.createSession")]
    assert internal.requests == []
    assert not ConnectedAccount.objects.exists()


def test_an_instance_whose_name_resolves_to_a_private_address_is_refused(auth_api, settings, monkeypatch):
    """With ALLOW_INSECURE_NETWORK_URLS on (the test settings) the address check still runs."""
    monkeypatch.setattr(socket, "getaddrinfo", ScriptedResolver(socket.getaddrinfo, {"mastodon.corp.example": ["10.0.0.8"]}))
    answer = auth_api.post("/api/v1/accounts/connect/mastodon/", {"instance_url": "http://mastodon.corp.example"})
    assert field_errors(answer)["instance_url"] == ["The server's address is not a public internet address."]
    answer = auth_api.post("/api/v1/accounts/connect/mastodon/", {"instance_url": "http://127.0.0.2:3000"})
    assert field_errors(answer)["instance_url"] == ["The server's address is not a public internet address."]
    assert not OAuthApp.objects.exists()


@pytest.fixture
def rebound(mastodon_fake, settings, monkeypatch):
    """The stored instance's name now resolves to 127.0.0.2, where a private server listens on the same
    port as the fake (which still has the account)."""
    try:
        private = Recorder(host="127.0.0.2", port=int(mastodon_fake.base_url.rsplit(":", 1)[1]))
    except OSError:
        pytest.skip("the fake's port is taken on 127.0.0.2")
    settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES = f"127.0.0.1:{private.port}"
    resolver = ScriptedResolver(socket.getaddrinfo, {"mastodon.rebound.test": ["127.0.0.2"], "pds.rebound.test": ["127.0.0.2"]})
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    yield private, f"https://mastodon.rebound.test:{private.port}"
    private.stop()


def test_a_stored_mastodon_instance_is_checked_again_when_publishing(mastodon_account, mastodon_fake, rebound):
    private, url = rebound
    ConnectedAccount.objects.filter(pk=mastodon_account.pk).update(instance_url=url)
    target = due_target(ConnectedAccount.objects.get(pk=mastodon_account.pk), "Rebound")
    outcome = target_publish(target_id=target.id)
    target.refresh_from_db()
    assert outcome.status == Status.FAILED and target.status == Status.FAILED
    assert "mastodon.rebound.test is not a public internet address" in target.error_message
    assert private.requests == [] and mastodon_fake.posts == []


def test_a_stored_mastodon_instance_is_checked_again_for_metrics_and_refresh(mastodon_account, rebound):
    private, url = rebound
    mastodon_account.instance_url = url
    adapter = PlatformFactory.get_platform(mastodon_account)
    with pytest.raises(AccountDisconnected, match="not a public internet address"):
        adapter.fetch_metrics("109000000000000001")
    with pytest.raises(AccountDisconnected, match="not a public internet address"):
        adapter.refresh_access_token()
    assert private.requests == []


def test_a_stored_bluesky_service_is_checked_again_on_use(workspace, rebound):
    private, url = rebound
    account = ConnectedAccountFactory(
        workspace=workspace, platform="bluesky", platform_user_id="did:plc:abc", platform_username="alice.test",
        access_token="a.b.c", refresh_token="d.e.f", instance_url=url.replace("mastodon.", "pds."),
    )
    adapter = PlatformFactory.get_platform(account)
    with pytest.raises(AccountDisconnected, match="pds.rebound.test is not a public internet address"):
        adapter.refresh_access_token()
    with pytest.raises(AccountDisconnected, match="not a public internet address"):
        adapter.fetch_metrics("at://did:plc:abc/app.bsky.feed.post/3kabc")
    assert private.requests == []
