"""Connecting accounts through the API: OAuth with state and PKCE (X, Mastodon), app passwords (Bluesky)."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from accounts.models import Membership
from social_media.models import ConnectedAccount, OAuthApp, OAuthState, PendingConnection
from social_media.platforms.base import AccountProfile, TokenSet
from social_media.services.connect import account_upsert
from social_media.services.pending import pending_connection_create
from social_media.tasks import delete_expired_oauth_states_task
from tests.connect.helpers import follow_authorization, raw_column
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def confirm(auth_api, page):
    """Be the signed-in user confirming what the callback page (no FRONTEND_URL) proposed."""
    assert page.status_code == 200 and b"Almost connected" in page.content, page.content[:500]
    token = page.context["token"]
    answer = auth_api.post("/api/v1/accounts/connect/complete/", {"token": token}, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()["accounts"]


@pytest.fixture
def mastodon_instance(mastodon_fake, settings):
    settings.PUBLIC_BASE_URL = "http://testserver"
    remote, _token = mastodon_fake.add_account("carol")
    mastodon_fake.authorize_as = "carol"
    return mastodon_fake


def test_mastodon_connects_through_oauth_with_state_and_pkce(auth_api, mastodon_instance, client):
    answer = auth_api.post("/api/v1/accounts/connect/mastodon/", {"instance_url": mastodon_instance.base_url})
    assert answer.status_code == 200, answer.content
    url = answer.json()["authorization_url"]
    params = parse_qs(urlsplit(url).query)
    assert params["code_challenge_method"] == ["S256"] and params["redirect_uri"] == ["http://testserver/api/v1/accounts/callback/mastodon/"]
    state = params["state"][0]
    assert len(state) >= 43  # 32 random bytes, url-safe base64
    app = OAuthApp.objects.get(platform="mastodon", instance_url=mastodon_instance.base_url)
    stored_secret = raw_column("social_media_oauthapp", "client_secret", app.id)
    assert stored_secret.startswith("enc1:") and app.client_secret not in stored_secret

    path, query = follow_authorization(url)
    page = client.get(path, query)  # the browser arrives without a JWT
    assert not ConnectedAccount.objects.exists()  # nothing until the user confirms
    [shown] = confirm(auth_api, page)
    account = ConnectedAccount.objects.get(platform="mastodon")
    assert shown["id"] == account.id and "access_token" not in shown
    assert account.platform_username.startswith("carol") and account.workspace == auth_api.user.personal_workspace
    assert account.platform_settings["max_characters"] == 500
    stored = raw_column("social_media_connectedaccount", "access_token", account.id)
    assert stored.startswith("enc1:") and account.access_token not in stored

    again = client.get(path, query)
    assert again.status_code == 400 and b"already used" in again.content
    assert OAuthState.objects.count() == 0


def test_mastodon_registers_its_app_once_per_instance(auth_api, mastodon_instance):
    for _ in range(2):
        assert auth_api.post("/api/v1/accounts/connect/mastodon/", {"instance_url": mastodon_instance.base_url}).status_code == 200
    assert OAuthApp.objects.count() == 1
    assert len([r for r in mastodon_instance.requests if r.path == "/api/v1/apps"]) == 1


def test_a_denied_authorization_says_so_and_connects_nothing(auth_api, mastodon_instance, client):
    url = auth_api.post("/api/v1/accounts/connect/mastodon/", {"instance_url": mastodon_instance.base_url}).json()["authorization_url"]
    state = parse_qs(urlsplit(url).query)["state"][0]
    page = client.get("/api/v1/accounts/callback/mastodon/", {"state": state, "error": "access_denied"})
    assert page.status_code == 400 and b"declined" in page.content
    assert not ConnectedAccount.objects.exists()


def test_an_expired_state_is_refused(auth_api, mastodon_instance, client):
    url = auth_api.post("/api/v1/accounts/connect/mastodon/", {"instance_url": mastodon_instance.base_url}).json()["authorization_url"]
    OAuthState.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    path, query = follow_authorization(url)
    page = client.get(path, query)
    assert page.status_code == 400 and b"expired" in page.content
    assert not ConnectedAccount.objects.exists()


def test_the_callback_redirects_to_the_frontend_when_one_is_configured(auth_api, mastodon_instance, client, settings):
    settings.FRONTEND_URL = "https://app.example/connected"
    url = auth_api.post("/api/v1/accounts/connect/mastodon/", {"instance_url": mastodon_instance.base_url}).json()["authorization_url"]
    path, query = follow_authorization(url)
    answer = client.get(path, query)
    assert answer.status_code == 302
    target = urlsplit(answer["Location"])
    outcome = parse_qs(target.query)
    assert target.netloc == "app.example" and outcome["status"] == ["pending"] and outcome["platform"] == ["mastodon"]
    assert not ConnectedAccount.objects.exists()
    answer = auth_api.post("/api/v1/accounts/connect/complete/", {"token": outcome["token"][0]}, format="json")
    assert answer.status_code == 201 and answer.json()["accounts"][0]["platform"] == "mastodon"


def test_a_failed_callback_redirects_to_the_frontend_with_the_message(auth_api, mastodon_instance, client, settings):
    settings.FRONTEND_URL = "https://app.example/connected"
    answer = client.get("/api/v1/accounts/callback/mastodon/", {"state": "forged", "code": "x"})
    outcome = parse_qs(urlsplit(answer["Location"]).query)
    assert outcome["status"] == ["error"] and "already used" in outcome["message"][0] and "token" not in outcome


def test_the_account_lands_in_the_workspace_that_started_the_flow(auth_api, mastodon_instance, client):
    team = MembershipFactory(user=auth_api.user, role=Membership.Role.ADMIN).workspace
    url = auth_api.post(
        "/api/v1/accounts/connect/mastodon/", {"instance_url": mastodon_instance.base_url}, HTTP_X_WORKSPACE=str(team.id)
    ).json()["authorization_url"]
    confirm(auth_api, client.get(*follow_authorization(url)))
    assert ConnectedAccount.objects.get().workspace == team


def test_only_admins_connect_accounts(api, mastodon_instance):
    from rest_framework_simplejwt.tokens import RefreshToken

    editor = MembershipFactory(role=Membership.Role.EDITOR)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(editor.user).access_token}")
    answer = api.post("/api/v1/accounts/connect/mastodon/", {"instance_url": mastodon_instance.base_url}, HTTP_X_WORKSPACE=str(editor.workspace_id))
    assert answer.status_code == 403


def test_connect_input_errors_are_field_errors(auth_api):
    assert auth_api.post("/api/v1/accounts/connect/mastodon/", {}).json()["error"]["fields"]["instance_url"]
    assert auth_api.post("/api/v1/accounts/connect/mastodon/", {"instance_url": "ftp://nope"}).status_code == 400
    assert set(auth_api.post("/api/v1/accounts/connect/bluesky/", {}).json()["error"]["fields"]) == {"handle", "app_password"}
    assert auth_api.post("/api/v1/accounts/connect/myspace/", {}).status_code == 404


def test_x_connects_with_pkce_and_keeps_the_rotating_refresh_token(auth_api, x_settings, x_fake, client):
    x_settings.PUBLIC_BASE_URL = "http://testserver"
    user = x_fake.add_user("dave")
    x_fake.login_as(user)
    url = auth_api.post("/api/v1/accounts/connect/x/", {}).json()["authorization_url"]
    params = parse_qs(urlsplit(url).query)
    assert "offline.access" in params["scope"][0].split() and params["code_challenge_method"] == ["S256"]
    confirm(auth_api, client.get(*follow_authorization(url)))
    account = ConnectedAccount.objects.get(platform="x")
    assert account.platform_user_id == user.id and account.refresh_token
    assert timedelta(minutes=110) < account.token_expires_at - timezone.now() <= timedelta(hours=2)


def test_a_reconnect_updates_in_place_and_never_blanks_the_refresh_token(workspace):
    profile = AccountProfile("42", "erin", tokens=TokenSet("access-1", "refresh-1", None))
    first, created = account_upsert(workspace=workspace, platform="x", profile=profile)
    again, created_again = account_upsert(
        workspace=workspace, platform="x", profile=AccountProfile("42", "erin2", tokens=TokenSet("access-2", "", None))
    )
    again.refresh_from_db()
    assert created and not created_again and first.id == again.id
    assert (again.access_token, again.refresh_token, again.platform_username) == ("access-2", "refresh-1", "erin2")


def test_bluesky_connects_with_an_app_password(auth_api, bluesky_pds):
    remote = bluesky_pds.create_account()
    body = {"handle": remote.handle, "app_password": remote.app_password, "service_url": bluesky_pds.base_url}
    answer = auth_api.post("/api/v1/accounts/connect/bluesky/", body)
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert data["platform"] == "bluesky" and data["platform_username"] == remote.handle
    assert remote.app_password not in answer.content.decode() and "access_token" not in data
    assert auth_api.post("/api/v1/accounts/connect/bluesky/", body).status_code == 200  # reconnect, same row
    assert ConnectedAccount.objects.filter(platform="bluesky").count() == 1


def test_a_wrong_bluesky_app_password_is_a_field_error(auth_api, bluesky_pds):
    remote = bluesky_pds.create_account()
    body = {"handle": remote.handle, "app_password": "aaaa-bbbb-cccc-dddd", "service_url": bluesky_pds.base_url}
    answer = auth_api.post("/api/v1/accounts/connect/bluesky/", body)
    assert answer.status_code == 400 and answer.json()["error"]["fields"]["app_password"]
    assert not ConnectedAccount.objects.exists()


def test_the_hourly_job_deletes_expired_states_and_pending_connections(user):
    for minutes in (-1, 9):
        pending, _token = pending_connection_create(user=user, workspace=user.personal_workspace, platform="x", profiles=AccountProfile("1", "a"))
        PendingConnection.objects.filter(pk=pending.pk).update(expires_at=timezone.now() + timedelta(minutes=minutes))
    OAuthState.objects.create(state="old", platform="x", user=user, workspace=user.personal_workspace,
                              redirect_uri="http://t/cb", expires_at=timezone.now() - timedelta(minutes=1))
    OAuthState.objects.create(state="new", platform="x", user=user, workspace=user.personal_workspace,
                              redirect_uri="http://t/cb", expires_at=timezone.now() + timedelta(minutes=9))
    assert delete_expired_oauth_states_task() == 2
    assert list(OAuthState.objects.values_list("state", flat=True)) == ["new"]
    assert PendingConnection.objects.get().expires_at > timezone.now()


def test_refusing_an_http_server_names_the_setting_for_local_test_servers(auth_api, settings):
    settings.ALLOW_INSECURE_NETWORK_URLS = False
    answer = auth_api.post("/api/v1/accounts/connect/mastodon/", {"instance_url": "http://127.0.0.1:3900"})
    [message] = answer.json()["error"]["fields"]["instance_url"]
    assert answer.status_code == 400 and message.startswith("The server must use https.")
    assert "ALLOW_INSECURE_NETWORK_URLS" in message and "docs/configuration.md" in message


@pytest.mark.parametrize("instance_url", ["mastodon.example:abc", "mastodon.example:99999", "https://[::1", "https://a..b"])
def test_a_server_address_urllib_or_dns_cannot_read_is_a_field_error(auth_api, settings, instance_url):
    """A bad port or bracket made urlsplit() raise ValueError, and an empty or 64+ character DNS label made
    getaddrinfo() raise UnicodeError: both were 500s."""
    settings.ALLOW_INSECURE_NETWORK_URLS = False
    answer = auth_api.post("/api/v1/accounts/connect/mastodon/", {"instance_url": instance_url})
    assert answer.status_code == 400, answer.content
    assert list(answer.json()["error"]["fields"]) == ["instance_url"]
    assert not OAuthState.objects.exists()


def test_a_callback_state_with_a_nul_byte_is_an_unknown_link_not_a_500(client):
    """The callback needs no login: anyone could send a NUL, which PostgreSQL refuses in a text comparison."""
    page = client.get("/api/v1/accounts/callback/mastodon/", {"state": "a\x00b", "code": "x"})
    assert page.status_code == 400 and b"unknown or was already used" in page.content
