"""The shared adapter contract, run against mastodon-mock."""

import pytest

from tests.factories import ConnectedAccountFactory
from tests.platforms.contract import AdapterContract

pytestmark = pytest.mark.network


class MockRemote:
    def __init__(self, mock, user):
        self.mock, self.user = mock, user

    def get_text(self, platform_post_id):
        answer = self.mock.api("GET", f"/api/v1/statuses/{platform_post_id}/source", self.user.token)
        if answer.status_code == 404:
            return None
        answer.raise_for_status()
        return answer.json()["text"]

    def count_posts(self):
        return len(self.mock.statuses_of(self.user))


def connect(mock, user, **settings):
    """A ConnectedAccount for a mastodon-mock user, with the limits mastodon-mock announces."""
    platform_settings = {"max_characters": 500, "max_media_attachments": 4, "characters_reserved_per_url": 23, "version": "4.6.0"}
    platform_settings.update(settings)
    return ConnectedAccountFactory(
        platform="mastodon",
        platform_user_id=user.id,
        platform_username=f"{user.username}@{mock.base_url.split('://')[1]}",
        access_token=user.token,
        refresh_token="",
        instance_url=mock.base_url,
        platform_settings=platform_settings,
    )


class TestMastodonContract(AdapterContract):
    too_long_text = "x" * 501

    @pytest.fixture
    def mock_user(self, mastodon_mock):
        return mastodon_mock.new_user()

    @pytest.fixture
    def account(self, mastodon_mock, mock_user):
        return connect(mastodon_mock, mock_user)

    @pytest.fixture
    def remote(self, mastodon_mock, mock_user):
        return MockRemote(mastodon_mock, mock_user)
