"""Connected accounts API: list, read, edit and disconnect, never showing a token."""

import pytest

from social_media.models import ConnectedAccount, Post, PostTarget, Status
from social_media.services.accounts import DISCONNECTED_MESSAGE
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory

from .helpers import fields_of, in_future

pytestmark = pytest.mark.django_db

URL = "/api/v1/accounts/"


def assert_no_tokens(response, *accounts):
    text = response.content.decode()
    assert "token\"" not in text.replace("token_expires_at\"", "")
    for account in accounts:
        for secret in (account.access_token, account.refresh_token):
            assert secret and secret not in text


def test_it_lists_the_workspace_accounts_without_tokens(auth_api, workspace, account):
    x_account = ConnectedAccountFactory(workspace=workspace, platform="x")
    ConnectedAccountFactory()  # another workspace
    response = auth_api.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert [a["id"] for a in body["results"]] == [account.pk, x_account.pk]
    assert body["results"][0]["platform_username"] == account.platform_username
    assert body["results"][0]["platform_settings"]["max_characters"] == 500
    assert_no_tokens(response, account, x_account)
    assert [a["id"] for a in auth_api.get(URL, {"platform": "x"}).json()["results"]] == [x_account.pk]
    assert auth_api.get(URL, {"platform": "orkut"}).status_code == 400


def test_it_reads_one_account_and_hides_other_workspaces(auth_api, account):
    response = auth_api.get(f"{URL}{account.pk}/")
    assert response.status_code == 200 and response.json()["id"] == account.pk
    assert_no_tokens(response, account)
    assert auth_api.get(f"{URL}{ConnectedAccountFactory().pk}/").status_code == 404


def test_it_lets_an_admin_rename_an_account_but_not_touch_read_only_fields(auth_api, account):
    response = auth_api.patch(f"{URL}{account.pk}/", {
        "display_name": "Brand", "platform_username": "hijack", "access_token": "mine", "platform_settings": {},
    })
    assert response.status_code == 200
    assert_no_tokens(response, account)
    account.refresh_from_db()
    assert account.display_name == "Brand"
    assert account.platform_username != "hijack" and account.access_token != "mine"
    assert account.platform_settings["max_characters"] == 500


def test_it_fails_waiting_targets_when_an_account_is_switched_off(auth_api, workspace, account, second_account):
    post = PostFactory(workspace=workspace, status=Status.SCHEDULED, scheduled_time=in_future())
    waiting = PostTargetFactory(post=post, account=account)
    other = PostTargetFactory(post=post, account=second_account)
    response = auth_api.patch(f"{URL}{account.pk}/", {"is_active": False})
    assert response.status_code == 200 and response.json()["is_active"] is False
    waiting.refresh_from_db(), other.refresh_from_db()
    assert (waiting.status, waiting.error_message) == (Status.FAILED, DISCONNECTED_MESSAGE)
    assert other.status == Status.SCHEDULED
    # switching it back on is allowed while it still holds credentials
    assert auth_api.patch(f"{URL}{account.pk}/", {"is_active": True}).json()["is_active"] is True


def test_it_disconnects_an_account_wiping_tokens_and_failing_its_waiting_targets(auth_api, workspace, account):
    post = PostFactory(workspace=workspace, status=Status.SCHEDULED, scheduled_time=in_future())
    waiting = PostTargetFactory(post=post, account=account)
    posted = PostTargetFactory(post=PostFactory(workspace=workspace, status=Status.POSTED), account=account)
    response = auth_api.delete(f"{URL}{account.pk}/disconnect/")
    assert response.status_code == 204
    stored = ConnectedAccount.objects.get(pk=account.pk)
    assert (stored.is_active, stored.access_token, stored.refresh_token, stored.token_expires_at) == (False, "", "", None)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.error_message) == (Status.FAILED, DISCONNECTED_MESSAGE)
    assert Post.objects.get(pk=post.pk).status == Status.FAILED
    assert PostTarget.objects.get(pk=posted.pk).status == Status.POSTED
    # without credentials it cannot simply be switched back on
    response = auth_api.patch(f"{URL}{account.pk}/", {"is_active": True})
    assert response.status_code == 400 and "is_active" in fields_of(response)


def test_it_answers_404_when_disconnecting_another_workspace_account(auth_api):
    foreign = ConnectedAccountFactory()
    assert auth_api.delete(f"{URL}{foreign.pk}/disconnect/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active and foreign.access_token


def test_it_answers_400_to_an_invalid_patch(auth_api, account):
    response = auth_api.patch(f"{URL}{account.pk}/", {"is_active": "perhaps", "display_name": "x" * 300})
    assert response.status_code == 400
    assert set(fields_of(response)) == {"is_active", "display_name"}


def test_it_leaves_credential_like_settings_out(auth_api, workspace):
    account = ConnectedAccountFactory(workspace=workspace, platform_settings={"max_characters": 500, "session_jwt": "eyJsecret"})
    response = auth_api.get(f"{URL}{account.pk}/")
    assert response.json()["platform_settings"] == {"max_characters": 500}
    assert "eyJsecret" not in response.content.decode()


def test_it_hides_credential_like_keys_nested_in_platform_settings(auth_api, workspace):
    settings = {"pages": [{"id": "p1", "page_access_token": "EAAB-nested"}], "limits": {"client_secret": "x", "max": 3}}
    account = ConnectedAccountFactory(workspace=workspace, platform_settings=settings)
    shown = auth_api.get(f"{URL}{account.pk}/").json()["platform_settings"]
    assert shown == {"pages": [{"id": "p1"}], "limits": {"max": 3}}
