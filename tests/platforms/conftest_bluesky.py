"""Bluesky fixtures: the reference PDS (started once per session), a fault-injecting proxy in front of it,
and accounts connected through the adapter's own app-password login."""

import pytest

from social_media.platforms.bluesky import BlueskyAdapter
from tests.factories import ConnectedAccountFactory
from tests.fakes.bluesky_fake import PdsFaultProxy
from tests.fakes.pds import PdsServer


@pytest.fixture(scope="session")
def bluesky_pds():
    server = PdsServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def bluesky_proxy_server(bluesky_pds):
    proxy = PdsFaultProxy(bluesky_pds.base_url)
    proxy.start()
    yield proxy
    proxy.stop()


@pytest.fixture
def bluesky_proxy(bluesky_proxy_server):
    """The fault proxy, with no pending faults and an empty request log."""
    bluesky_proxy_server.reset()
    yield bluesky_proxy_server
    bluesky_proxy_server.reset()


@pytest.fixture
def connect_bluesky(bluesky_pds):
    """connect_bluesky(via=None, **account fields) -> a saved ConnectedAccount for a fresh PDS account,
    connected with its app password; `via` is another base URL (the fault proxy) to reach the PDS by."""

    def connect(via=None, **fields):
        pds_account = bluesky_pds.create_account()
        profile = BlueskyAdapter.connect_with_password(
            identifier=pds_account.handle, password=pds_account.app_password, service_url=via or bluesky_pds.base_url
        )
        account = ConnectedAccountFactory(
            platform="bluesky",
            platform_user_id=profile.platform_user_id,
            platform_username=profile.platform_username,
            display_name=profile.display_name,
            access_token=profile.tokens.access_token,
            refresh_token=profile.tokens.refresh_token,
            token_expires_at=profile.tokens.expires_at,
            instance_url=profile.instance_url,
            platform_settings=profile.platform_settings,
            **fields,
        )
        account.pds_account = pds_account  # the main password, for test-side administration
        return account

    return connect


class BlueskyRemote:
    """What the PDS holds for one account (the `remote` of the adapter contract)."""

    def __init__(self, pds, did):
        self.pds, self.did = pds, did

    def get_text(self, platform_post_id):
        value = self.pds.get_post(platform_post_id)
        return None if value is None else value["text"]

    def count_posts(self):
        return len(self.pds.list_posts(self.did))
