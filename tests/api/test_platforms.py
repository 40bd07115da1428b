"""GET /api/v1/platforms/ and connecting a network whose app credentials are unset (a JSON 400 naming
the missing settings, never a 500): both driven by the adapters' required_settings."""

import pytest

from social_media.models import ConnectedAccount, OAuthState
from social_media.platforms import PLATFORMS, PlatformFactory

pytestmark = pytest.mark.django_db


def test_connecting_x_without_its_client_id_names_the_missing_setting(auth_api, settings):
    settings.X_CLIENT_ID = ""

    response = auth_api.post("/api/v1/accounts/connect/x/", {}, format="json")

    assert response.status_code == 503, response.content
    error = response.json()["error"]
    assert error["code"] == "network_not_configured"
    assert error["missing_settings"] == ["X_CLIENT_ID"]
    assert "X_CLIENT_ID" in error["message"]
    assert not OAuthState.objects.exists()


def test_connecting_x_with_its_client_id_answers_an_authorization_url(auth_api, settings):
    settings.X_CLIENT_ID = "our-client"

    response = auth_api.post("/api/v1/accounts/connect/x/", {}, format="json")

    assert response.status_code == 200, response.content
    assert "client_id=our-client" in response.json()["authorization_url"]


def test_every_adapter_names_only_real_settings(settings):
    for key in PLATFORMS:
        for name in PlatformFactory.adapter_class(key).required_settings:
            assert hasattr(settings, name), (key, name)


def test_mastodon_and_bluesky_need_no_app_credentials():
    assert PlatformFactory.adapter_class("mastodon").required_settings == ()
    assert PlatformFactory.adapter_class("bluesky").required_settings == ()


def test_the_platform_list_follows_the_registry_and_the_settings(auth_api, settings):
    settings.X_CLIENT_ID = ""
    settings.X_CLIENT_SECRET = "a-secret-value-never-shown"

    response = auth_api.get("/api/v1/platforms/")

    assert response.status_code == 200
    body = response.json()
    assert [p["key"] for p in body] == list(PLATFORMS)
    by_key = {p["key"]: p for p in body}
    assert by_key["x"]["configured"] is False and by_key["x"]["missing_settings"] == ["X_CLIENT_ID"]
    assert by_key["mastodon"]["configured"] is True and by_key["mastodon"]["missing_settings"] == []
    assert by_key["bluesky"]["connect_style"] == "password" and by_key["x"]["connect_style"] == "oauth"
    assert by_key["x"]["content_limits"]["max_characters"] == 280
    assert by_key["x"]["content_limits"]["character_counting"] == "weighted"
    assert by_key["bluesky"]["content_limits"]["max_characters"] == 300
    assert by_key["bluesky"]["content_limits"]["max_image_bytes"] == 1_000_000
    assert by_key["mastodon"]["content_limits"]["max_characters"] == 500
    assert by_key["x"]["label"] == "X"
    assert "a-secret-value-never-shown" not in response.content.decode()


def test_a_configured_x_is_listed_as_configured(auth_api, settings):
    settings.X_CLIENT_ID = "our-client"
    by_key = {p["key"]: p for p in auth_api.get("/api/v1/platforms/").json()}
    assert by_key["x"]["configured"] is True and by_key["x"]["missing_settings"] == []


def test_the_platform_list_needs_a_login_but_no_workspace(api, user):
    assert api.get("/api/v1/platforms/").status_code == 401
    user.memberships.all().delete()
    api.force_authenticate(user)
    assert api.get("/api/v1/platforms/").status_code == 200
    assert not ConnectedAccount.objects.exists()
