"""The Mastodon adapter against mastodon-mock: connect flow, instance limits, media, idempotency,
delete, metrics and the server's own 422."""

import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings
from PIL import Image

from social_media.models import OAuthApp
from social_media.platforms import PlatformFactory
from social_media.platforms.base import InvalidContent, MediaItem, PlatformError, pkce_pair
from social_media.platforms.mastodon import MastodonAdapter
from social_media.platforms.mastodon.oauth import SCOPES
from tests.factories import PostFactory, PostTargetFactory
from tests.platforms.test_mastodon_contract import connect

pytestmark = [pytest.mark.network, pytest.mark.django_db]

REDIRECT_URI = "https://scheduler.example/connect/mastodon/callback"


def png_item(alt_text="A red square", color="red"):
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), color).save(buffer, format="PNG")
    data = buffer.getvalue()
    return MediaItem(
        media_id=1, media_type="image", mime_type="image/png", file_size=len(data), width=32, height=24,
        duration=None, alt_text=alt_text, open=lambda: io.BytesIO(data),
    ), data


def target_for(account, content, **platform_specific_settings):
    post = PostFactory(workspace=account.workspace, content=content)
    return PostTargetFactory(post=post, account=account, platform_specific_settings=platform_specific_settings)


def registered_app(mock):
    client_id, client_secret = MastodonAdapter.register_app(instance_url=mock.base_url, redirect_uri=REDIRECT_URI)
    app = OAuthApp.objects.create(platform="mastodon", instance_url=mock.base_url, client_id=client_id, client_secret=client_secret)
    return OAuthApp.objects.get(pk=app.pk)


def authorize_in_browser(mock, url, username):
    """What the user's browser does: open the authorize page, pick the account, get redirected."""
    page = requests.get(url, timeout=10)
    assert page.status_code == 200
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    answer = requests.post(f"{mock.base_url}/oauth/authorize", data={**fields, "username": username}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    return answer.headers["Location"]


def test_it_connects_an_account_through_the_oauth_code_flow(mastodon_mock):
    user = mastodon_mock.new_user()
    app = registered_app(mastodon_mock)
    verifier, challenge = pkce_pair()

    url = MastodonAdapter.authorization_url(
        state="state-123", redirect_uri=REDIRECT_URI, code_challenge=challenge, instance_url=mastodon_mock.base_url, oauth_app=app
    )
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{mastodon_mock.base_url}/oauth/authorize?")
    assert query["client_id"] == [app.client_id] and query["response_type"] == ["code"]
    assert query["code_challenge"] == [challenge] and query["code_challenge_method"] == ["S256"]
    assert query["state"] == ["state-123"] and query["scope"] == [" ".join(SCOPES)]

    location = authorize_in_browser(mastodon_mock, url, user.username)
    assert location.startswith(REDIRECT_URI)
    returned = parse_qs(urlsplit(location).query)
    assert returned["state"] == ["state-123"]

    profile = MastodonAdapter.exchange_code(
        code=returned["code"][0], redirect_uri=REDIRECT_URI, code_verifier=verifier, instance_url=mastodon_mock.base_url, oauth_app=app
    )
    host = urlsplit(mastodon_mock.base_url).port
    assert profile.platform_user_id == user.id
    assert profile.platform_username == f"{user.username}@localhost:{host}"
    assert profile.display_name == user.username
    assert profile.instance_url == mastodon_mock.base_url
    assert profile.tokens.refresh_token == "" and profile.tokens.expires_at is None
    assert profile.platform_settings["max_characters"] == 500

    registered = mastodon_mock.api("GET", "/api/v1/apps/verify_credentials", profile.tokens.access_token).json()
    assert registered["name"] == settings.MASTODON_APP_NAME
    assert registered["scopes"] == list(SCOPES)


def test_it_rejects_a_bad_authorization_code_with_a_clear_error(mastodon_mock):
    app = registered_app(mastodon_mock)
    with pytest.raises(PlatformError) as caught:
        MastodonAdapter.exchange_code(
            code="mockcode_nobody", redirect_uri=REDIRECT_URI, code_verifier="v" * 64, instance_url=mastodon_mock.base_url, oauth_app=app
        )
    assert type(caught.value) is PlatformError
    assert caught.value.http_status == 400
    assert caught.value.message == "Mastodon did not accept the authorization: invalid_grant"


def test_it_reads_the_limits_the_instance_announces(mastodon_mock):
    user = mastodon_mock.new_user()
    account = connect(mastodon_mock, user)
    account.platform_settings = {}

    profile = PlatformFactory.get_platform(account).verify_credentials()

    limits = profile.platform_settings
    assert (limits["max_characters"], limits["max_media_attachments"], limits["characters_reserved_per_url"]) == (500, 4, 23)
    assert limits["image_size_limit"] == 10485760 and limits["video_size_limit"] == 41943040
    assert limits["supported_mime_types"] == sorted(["image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4"])
    assert limits["version"] == "4.6.0" and limits["limits_source"] == "instance_v2"
    # mastodon-mock does not announce a description limit: Mastodon's 1500 is used and marked as a fallback
    assert limits["description_limit"] == 1500 and limits["limits_fallback"] == ["description_limit"]
    assert profile.platform_user_id == user.id and profile.tokens is None


def test_it_uploads_media_with_alt_text_and_posts_once_per_idempotency_key(mastodon_mock):
    user = mastodon_mock.new_user()
    account = connect(mastodon_mock, user)
    adapter = PlatformFactory.get_platform(account)
    target = target_for(account, "A picture, posted twice", visibility="unlisted")
    item, data = png_item()

    first = adapter.publish(target, target.content, [item])
    second = adapter.publish(target, target.content, [item])

    assert second.platform_post_id == first.platform_post_id
    statuses = mastodon_mock.statuses_of(user)
    assert [s["id"] for s in statuses] == [first.platform_post_id]
    status = statuses[0]
    assert status["visibility"] == "unlisted"
    assert first.url == status["url"] and first.published_at is not None
    [attachment] = status["media_attachments"]
    assert attachment["type"] == "image" and attachment["description"] == "A red square"
    assert requests.get(attachment["url"].replace("localhost", "127.0.0.1"), timeout=10).content == data


def test_it_deletes_a_status_and_treats_an_already_deleted_one_as_done(mastodon_mock):
    user = mastodon_mock.new_user()
    adapter = PlatformFactory.get_platform(connect(mastodon_mock, user))
    target = target_for(adapter.account, "Gone soon")
    result = adapter.publish(target, target.content, [])

    adapter.delete(result.platform_post_id)
    adapter.delete(result.platform_post_id)

    assert mastodon_mock.statuses_of(user) == []


def test_it_reads_favourites_reblogs_and_replies_as_metrics(mastodon_mock):
    author, fan = mastodon_mock.new_user(), mastodon_mock.new_user()
    adapter = PlatformFactory.get_platform(connect(mastodon_mock, author))
    target = target_for(adapter.account, "Count me")
    status_id = adapter.publish(target, target.content, []).platform_post_id
    mastodon_mock.api("POST", f"/api/v1/statuses/{status_id}/favourite", fan.token).raise_for_status()
    mastodon_mock.api("POST", f"/api/v1/statuses/{status_id}/reblog", fan.token).raise_for_status()
    mastodon_mock.api("POST", "/api/v1/statuses", fan.token, data={"status": "Nice", "in_reply_to_id": status_id}).raise_for_status()

    metrics = adapter.fetch_metrics(status_id)

    assert (metrics.likes, metrics.reposts, metrics.replies) == (1, 1, 1)
    assert metrics.raw["favourites_count"] == 1


def test_it_reports_the_servers_422_when_stored_limits_are_stale(mastodon_mock):
    user = mastodon_mock.new_user()
    # The account still believes the instance allows 1000 characters; the instance says 500.
    adapter = PlatformFactory.get_platform(connect(mastodon_mock, user, max_characters=1000))
    target = target_for(adapter.account, "y" * 600)

    with pytest.raises(InvalidContent) as caught:
        adapter.publish(target, target.content, [])

    assert caught.value.http_status == 422
    assert caught.value.message == "Mastodon rejected the post: Text is too long (maximum is 500 characters)"
    assert mastodon_mock.statuses_of(user) == []
