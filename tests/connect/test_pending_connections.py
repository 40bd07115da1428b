"""An OAuth callback only proposes accounts; the user who started the flow confirms them, signed in."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Membership
from social_media.models import ConnectedAccount, PendingConnection
from social_media.platforms.base import AccountProfile, TokenSet
from social_media.services.connect import account_upsert
from social_media.services.pending import pending_connection_complete, pending_connection_create
from tests.connect.helpers import follow_authorization, raw_column
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

COMPLETE = "/api/v1/accounts/connect/complete/"


def api_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def started(auth_api, mastodon_fake, settings):
    """A Mastodon flow `auth_api.user` started and the network approved: the callback's query."""
    settings.PUBLIC_BASE_URL = "http://testserver"
    settings.FRONTEND_URL = "https://app.example/connected"
    mastodon_fake.add_account("carol")
    mastodon_fake.authorize_as = "carol"
    url = auth_api.post("/api/v1/accounts/connect/mastodon/", {"instance_url": mastodon_fake.base_url}).json()["authorization_url"]
    return follow_authorization(url)


def callback_token(client, started):
    answer = client.get(*started)
    assert answer.status_code == 302, answer.content
    outcome = parse_qs(urlsplit(answer["Location"]).query)
    assert outcome["status"] == ["pending"], outcome
    return outcome["token"][0]


def meta_like_candidates(user, workspace=None):
    """What one Meta login yields: two Facebook Pages and an Instagram account (platform per profile)."""
    profiles = [
        AccountProfile("page-1", "bakery", "The Bakery", tokens=TokenSet("page-token-1"), platform="mastodon"),
        AccountProfile("page-2", "cafe", "The Cafe", tokens=TokenSet("page-token-2", "refresh-2"), platform="mastodon"),
        AccountProfile("ig-9", "bakery.ig", "Bakery IG", tokens=TokenSet("ig-token-9"), platform="x",
                       platform_settings={"page_id": "page-1"}),
    ]
    return pending_connection_create(user=user, workspace=workspace or user.personal_workspace, platform="mastodon", profiles=profiles)


def test_an_unauthenticated_callback_connects_nothing_until_the_starter_confirms(auth_api, started, client):
    token = callback_token(client, started)  # whoever holds the link, without a JWT
    assert not ConnectedAccount.objects.exists()

    listing = auth_api.get(f"/api/v1/accounts/connect/pending/{token}/")
    assert listing.status_code == 200, listing.content
    [candidate] = listing.json()["candidates"]
    assert set(candidate) == {"key", "platform", "platform_username", "display_name"}
    assert candidate["platform"] == "mastodon" and candidate["platform_username"].startswith("carol")

    answer = auth_api.post(COMPLETE, {"token": token}, format="json")
    assert answer.status_code == 201, answer.content
    account = ConnectedAccount.objects.get()
    assert answer.json()["accounts"][0]["id"] == account.id
    assert account.workspace == auth_api.user.personal_workspace and account.connected_by == auth_api.user
    assert account.access_token and account.platform_settings["max_characters"] == 500


def test_another_user_holding_the_token_gets_404_and_connects_nothing(started, client):
    token = callback_token(client, started)
    stranger = api_for(UserFactory())

    assert stranger.get(f"/api/v1/accounts/connect/pending/{token}/").status_code == 404
    answer = stranger.post(COMPLETE, {"token": token}, format="json")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"
    assert not ConnectedAccount.objects.exists()
    assert APIClient().post(COMPLETE, {"token": token}, format="json").status_code == 401


def test_a_used_token_is_refused_the_second_time(auth_api, started, client):
    token = callback_token(client, started)
    assert auth_api.post(COMPLETE, {"token": token}, format="json").status_code == 201

    again = auth_api.post(COMPLETE, {"token": token}, format="json")
    assert again.status_code == 410 and "already connected" in again.json()["error"]["message"]
    assert auth_api.get(f"/api/v1/accounts/connect/pending/{token}/").status_code == 410
    assert ConnectedAccount.objects.count() == 1
    assert PendingConnection.objects.get().secrets == ""


def test_an_expired_pending_connection_is_refused(auth_api, started, client):
    token = callback_token(client, started)
    PendingConnection.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    answer = auth_api.post(COMPLETE, {"token": token}, format="json")
    assert answer.status_code == 410 and "expired" in answer.json()["error"]["message"]
    assert not ConnectedAccount.objects.exists()


def test_it_expires_ten_minutes_after_the_callback(auth_api, started, client):
    callback_token(client, started)
    pending = PendingConnection.objects.get()
    assert timedelta(minutes=9) < pending.expires_at - pending.created_at <= timedelta(minutes=10)


def test_an_unknown_token_is_404_and_a_missing_one_a_field_error(auth_api):
    assert auth_api.post(COMPLETE, {"token": "nope"}, format="json").status_code == 404
    answer = auth_api.post(COMPLETE, {}, format="json")
    assert answer.status_code == 400 and answer.json()["error"]["fields"]["token"]


def test_a_starter_no_longer_admin_of_the_workspace_cannot_complete(auth_api, user):
    membership = MembershipFactory(user=user, role=Membership.Role.ADMIN)
    _pending, token = meta_like_candidates(user, membership.workspace)
    Membership.objects.filter(pk=membership.pk).update(role=Membership.Role.EDITOR)

    assert auth_api.post(COMPLETE, {"token": token, "select": ["mastodon:page-1"]}, format="json").status_code == 404
    assert not ConnectedAccount.objects.exists()


def test_candidates_tokens_are_encrypted_at_rest_and_never_listed(auth_api, user):
    pending, token = meta_like_candidates(user)

    stored = raw_column("social_media_pendingconnection", "secrets", pending.id)
    assert stored.startswith("enc1:") and "page-token-1" not in stored and "page_id" not in stored
    assert token not in raw_column("social_media_pendingconnection", "token_hash", pending.id)
    listing = auth_api.get(f"/api/v1/accounts/connect/pending/{token}/")
    assert listing.status_code == 200
    assert "page-token" not in listing.content.decode() and "refresh-2" not in listing.content.decode()
    assert [c["key"] for c in listing.json()["candidates"]] == ["mastodon:page-1", "mastodon:page-2", "x:ig-9"]


def test_with_several_candidates_the_user_selects_which_to_connect(auth_api, user):
    _pending, token = meta_like_candidates(user)

    unselected = auth_api.post(COMPLETE, {"token": token}, format="json")
    assert unselected.status_code == 400 and unselected.json()["error"]["fields"]["select"]
    unknown = auth_api.post(COMPLETE, {"token": token, "select": ["mastodon:page-404"]}, format="json")
    assert unknown.status_code == 400 and "page-404" in unknown.json()["error"]["fields"]["select"][0]
    assert not ConnectedAccount.objects.exists()

    answer = auth_api.post(COMPLETE, {"token": token, "select": ["x:ig-9", "mastodon:page-2"]}, format="json")
    assert answer.status_code == 201, answer.content
    connected = {(a.platform, a.platform_user_id): a for a in ConnectedAccount.objects.all()}
    assert set(connected) == {("x", "ig-9"), ("mastodon", "page-2")}
    assert connected[("x", "ig-9")].access_token == "ig-token-9"
    assert connected[("x", "ig-9")].platform_settings == {"page_id": "page-1"}
    assert connected[("mastodon", "page-2")].refresh_token == "refresh-2"


def test_one_candidate_and_no_select_connects_it(user):
    _pending, token = pending_connection_create(
        user=user, workspace=user.personal_workspace, platform="x", profiles=AccountProfile("5", "solo", tokens=TokenSet("t"))
    )
    [account] = pending_connection_complete(user=user, token=token)
    assert (account.platform, account.platform_user_id, account.platform_username) == ("x", "5", "solo")


def test_completing_a_reconnect_keeps_the_stored_refresh_token(user):
    workspace = user.personal_workspace
    existing, _ = account_upsert(workspace=workspace, platform="x", profile=AccountProfile("42", "erin", tokens=TokenSet("a1", "r1")))
    _pending, token = pending_connection_create(
        user=user, workspace=workspace, platform="x", profiles=[AccountProfile("42", "erin", tokens=TokenSet("a2", ""))]
    )
    [account] = pending_connection_complete(user=user, token=token)
    account.refresh_from_db()
    assert account.id == existing.id and (account.access_token, account.refresh_token) == ("a2", "r1")


def test_the_callback_page_asks_for_confirmation_without_a_frontend(auth_api, started, client, settings):
    settings.FRONTEND_URL = ""
    page = client.get(*started)
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert b"Almost connected" in page.content and b"/api/v1/accounts/connect/complete/" in page.content
    assert not ConnectedAccount.objects.exists()
