from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analytics.models import AnalyticsSnapshot, PostAnalytics
from social_media.models import (
    ConnectedAccount, OAuthApp, OAuthState, PendingConnection, PostMedia, PublishAttempt, QueuedPost, Status, TargetPartPublication, ThreadPart,
)
from social_media.platforms.base import AccountProfile, TokenSet
from social_media.services.pending import pending_connection_create
from tests.factories import (
    ConnectedAccountFactory, MediaFileFactory, PostFactory, PostQueueFactory, PostTargetFactory, UserFactory, WorkspaceFactory,
)

APPS = ("social_media", "media", "analytics")
ACCESS, REFRESH, CLIENT_SECRET, VERIFIER = "tok-access-5f1e9", "tok-refresh-77a2c", "client-secret-0b3d", "pkce-verifier-9c4e"
PENDING_ACCESS, PENDING_REFRESH = "tok-pending-access-31d", "tok-pending-refresh-8e0"


def admin_url(obj_or_model, view="changelist"):
    meta = obj_or_model._meta
    args = [obj_or_model.pk] if view == "change" else []
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


@pytest.fixture
def world(db):
    """One row of every model the admin shows, with secrets we can look for."""
    owner = UserFactory()
    workspace = WorkspaceFactory()
    account = ConnectedAccountFactory(workspace=workspace, platform="x", access_token=ACCESS, refresh_token=REFRESH)
    post = PostFactory(workspace=workspace, author=owner, status=Status.POSTED, posted_at=timezone.now())
    target = PostTargetFactory(post=post, account=account, status=Status.POSTED, platform_post_id="1790", platform_post_url="https://x.com/i/status/1790")
    attempt = PublishAttempt.objects.create(
        target=target, attempt_number=1, started_at=timezone.now(), finished_at=timezone.now(),
        outcome=PublishAttempt.Outcome.RETRY, error_class="TransientError", http_status=503, message="upstream said 503",
    )
    media = MediaFileFactory(workspace=workspace)
    post_media = PostMedia.objects.create(post=post, media=media)
    queue = PostQueueFactory(workspace=workspace)
    queue.target_accounts.add(account)
    queued = QueuedPost.objects.create(queue=queue, post=PostFactory(workspace=workspace), position=1)
    oauth_app = OAuthApp.objects.create(platform="mastodon", instance_url="https://mastodon.example", client_id="cid-1", client_secret=CLIENT_SECRET)
    oauth_state = OAuthState.objects.create(
        state="state-abc", platform="x", user=owner, workspace=workspace, code_verifier=VERIFIER,
        redirect_uri="http://127.0.0.1:8000/cb", expires_at=timezone.now() + timedelta(minutes=10),
    )
    pending, _completion_token = pending_connection_create(
        user=owner, workspace=workspace, platform="x",
        profiles=AccountProfile("77", "pending-one", tokens=TokenSet(PENDING_ACCESS, PENDING_REFRESH)),
    )
    thread_part = ThreadPart.objects.create(post=post, position=1, content="Part two of the thread")
    part_publication = TargetPartPublication.objects.create(target=target, position=1, platform_post_id="1791", posted_at=timezone.now())
    analytics = PostAnalytics.objects.create(target=target, likes=12, impressions=300)
    snapshot = AnalyticsSnapshot.objects.create(target=target, snapshot_data={"likes": 12})
    return locals()


def test_it_registers_every_model_of_these_apps(db):
    from django.apps import apps

    missing = [m.__name__ for app in APPS for m in apps.get_app_config(app).get_models() if m not in admin.site._registry]
    assert missing == []


def test_it_renders_every_list_and_change_page(admin_client, world):
    objects = [v for v in world.values() if hasattr(v, "_meta") and v._meta.app_label in APPS]
    assert len({type(o) for o in objects}) == 15

    for obj in objects:
        listing = admin_client.get(admin_url(obj))
        change = admin_client.get(admin_url(obj, "change"))
        assert listing.status_code == 200, type(obj)
        assert change.status_code == 200, type(obj)
        for secret in (ACCESS, REFRESH, CLIENT_SECRET, VERIFIER, PENDING_ACCESS, PENDING_REFRESH, world["pending"].token_hash):
            assert secret not in listing.content.decode(), (type(obj), secret)
            assert secret not in change.content.decode(), (type(obj), secret)


@pytest.mark.parametrize("model", [ConnectedAccount, OAuthApp, OAuthState, PendingConnection])
def test_it_excludes_secret_fields_from_the_forms(admin_client, world, model):
    obj = model.objects.get()
    page = admin_client.get(admin_url(obj, "change")).content.decode()

    for field in ("access_token", "refresh_token", "client_secret", "code_verifier", "secrets", "token_hash"):
        assert f'name="{field}"' not in page
        assert f"field-{field}" not in page
    for secret in (ACCESS, REFRESH, CLIENT_SECRET, VERIFIER, PENDING_ACCESS, PENDING_REFRESH, world["pending"].token_hash):
        assert secret not in page


def test_it_searches_accounts_without_exposing_tokens(admin_client, world):
    page = admin_client.get(admin_url(ConnectedAccount), {"q": world["account"].platform_username}).content.decode()

    assert world["account"].platform_username in page
    assert ACCESS not in page and REFRESH not in page


def test_it_keeps_the_tokens_and_settings_when_an_account_is_edited(admin_client, world):
    account = world["account"]
    account.platform_settings = {"max_characters": 500, "session_jwt": "eyJ-kept"}
    account.save()

    response = admin_client.post(admin_url(account, "change"), {"display_name": "Renamed", "platform_settings": '{"max_characters": 280}'})

    assert response.status_code == 302, response.content
    account.refresh_from_db()
    assert account.display_name == "Renamed"
    assert (account.access_token, account.refresh_token) == (ACCESS, REFRESH)
    assert account.platform_settings == {"max_characters": 500, "session_jwt": "eyJ-kept"}


def test_it_hides_credential_like_platform_settings_as_the_api_does(admin_client, world):
    account = world["account"]
    account.platform_settings = {
        "max_characters": 500, "session_jwt": "eyJ-session-77", "app_secret": "s3-app",
        "pages": [{"id": "p1", "name": "Bakery", "page_access_token": "EAAB-page-token"}],
    }
    account.save()

    page = admin_client.get(admin_url(account, "change")).content.decode()

    assert "max_characters" in page and "Bakery" in page
    for secret in ("eyJ-session-77", "s3-app", "EAAB-page-token", "session_jwt", "page_access_token"):
        assert secret not in page
    assert 'name="platform_settings"' not in page


def test_it_shows_a_targets_publish_attempts_read_only(admin_client, world):
    page = admin_client.get(admin_url(world["target"], "change")).content.decode()

    assert "upstream said 503" in page and "TransientError" in page
    assert 'name="attempts-0-message"' not in page


def test_it_shows_a_posts_targets_and_media_inline(admin_client, world):
    page = admin_client.get(admin_url(world["post"], "change")).content.decode()

    assert "https://x.com/i/status/1790" in page
    assert str(world["media"]) in page


def test_it_lists_targets_in_a_constant_number_of_queries(admin_client, world):
    with CaptureQueriesContext(connection) as few:
        admin_client.get(admin_url(world["target"]))
    for _ in range(5):
        PostTargetFactory(post=PostFactory(workspace=world["workspace"]))
    with CaptureQueriesContext(connection) as many:
        admin_client.get(admin_url(world["target"]))

    assert len(many) == len(few)


def test_it_refuses_admin_pages_to_non_staff(client, world):
    client.force_login(world["owner"])

    response = client.get(admin_url(world["post"]))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
