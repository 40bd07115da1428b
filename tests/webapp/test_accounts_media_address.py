"""The Accounts page says, on each Instagram and Threads account, when this server has no public address
Meta could download media from (PUBLIC_BASE_URL unset, no S3): the message scheduling refuses their media
posts with (docs/networks.md, social_media.platforms.public_media)."""

import pytest
from django.urls import reverse

from tests.factories import ConnectedAccountFactory

pytestmark = pytest.mark.django_db


def test_instagram_and_threads_accounts_say_the_server_has_no_public_media_address(as_role, team_workspace, settings):
    settings.ALLOW_INSECURE_NETWORK_URLS = False
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"  # the default when PUBLIC_BASE_URL is unset
    instagram = ConnectedAccountFactory(workspace=team_workspace, platform="instagram", platform_username="bakery")
    threads = ConnectedAccountFactory(workspace=team_workspace, platform="threads", platform_username="baker")
    mastodon = ConnectedAccountFactory(workspace=team_workspace, platform="mastodon", platform_username="toots")
    html = as_role("admin").get(reverse("webapp:accounts")).content.decode()
    assert f'id="media-address-{instagram.pk}">Instagram fetches media from a public address' in html
    assert f'id="media-address-{threads.pk}">Threads fetches media from a public address' in html
    assert "set PUBLIC_BASE_URL to this server&#x27;s public https address, or store media on S3." in html
    assert f'id="media-address-{mastodon.pk}"' not in html


def test_nothing_is_said_once_the_server_has_a_public_https_address(as_role, team_workspace, settings):
    settings.ALLOW_INSECURE_NETWORK_URLS = False
    settings.PUBLIC_BASE_URL = "https://sched.example.com"
    ConnectedAccountFactory(workspace=team_workspace, platform="instagram", platform_username="bakery")
    html = as_role("admin").get(reverse("webapp:accounts")).content.decode()
    assert "fetches media from a public address" not in html
