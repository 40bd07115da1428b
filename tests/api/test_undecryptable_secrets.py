"""With only a wrong key in ENCRYPTION_KEYS: pages that show no token still answer, publishing reports
the unreadable token on the target and the account, `check --deploy` warns, /health/ says so."""

import pytest
from cryptography.fernet import Fernet
from django.core.checks import Tags, run_checks
from django.test import Client, override_settings

from social_media.models import ConnectedAccount, PostTarget, Status
from social_media.services.publishing import target_publish
from tests.engine.conftest import due_target
from tests.factories import PostFactory, PostQueueFactory, PostTargetFactory

WRONG_KEY = Fernet.generate_key().decode()


@pytest.fixture
def stored(workspace, account):
    """A post with a target and a queue with a target account, all readable with the current key."""
    post = PostFactory(workspace=workspace)
    PostTargetFactory(post=post, account=account)
    queue = PostQueueFactory(workspace=workspace)
    queue.target_accounts.add(account)
    return post, queue, account


@pytest.mark.django_db
@pytest.mark.parametrize("path", [
    "/api/v1/accounts/", "/api/v1/accounts/{account}/", "/api/v1/posts/", "/api/v1/posts/{post}/",
    "/api/v1/queues/", "/api/v1/queues/{queue}/", "/api/v1/analytics/posts/{post}/",
    "/api/v1/analytics/posts/{post}/history/",
])
def test_lists_and_details_answer_without_decrypting_tokens(auth_api, stored, path):
    post, queue, account = stored
    with override_settings(ENCRYPTION_KEYS=[WRONG_KEY]):
        response = auth_api.get(path.format(post=post.pk, queue=queue.pk, account=account.pk))
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_editing_a_post_and_an_account_does_not_decrypt_tokens(auth_api, stored):
    post, queue, account = stored
    with override_settings(ENCRYPTION_KEYS=[WRONG_KEY]):
        assert auth_api.patch(f"/api/v1/posts/{post.pk}/", {"content": "edited"}, format="json").status_code == 200
        response = auth_api.post("/api/v1/posts/", {"content": "new", "target_accounts": [account.pk]}, format="json")
        assert response.status_code == 201, response.content
        assert auth_api.patch(f"/api/v1/accounts/{account.pk}/", {"display_name": "Renamed"}, format="json").status_code == 200
    account = ConnectedAccount.objects.get(pk=account.pk)
    assert account.display_name == "Renamed" and account.access_token  # the token survived the save


@pytest.mark.django_db(transaction=True)
def test_publishing_reports_an_undecryptable_token_on_the_target_and_the_account(account):
    target = due_target(account, "Hello")
    other = PostTargetFactory(post=PostFactory(workspace=account.workspace), account=account, status=Status.SCHEDULED)

    with override_settings(ENCRYPTION_KEYS=[WRONG_KEY]):
        outcome = target_publish(target_id=target.id)

    assert outcome.status == Status.FAILED
    target.refresh_from_db()
    assert target.status == Status.FAILED
    assert "cannot be decrypted" in target.error_message and "ENCRYPTION_KEYS" in target.error_message
    attempt = target.attempts.get()
    assert attempt.error_class == "AccountDisconnected" and "ENCRYPTION_KEYS" in attempt.message
    account = ConnectedAccount.objects.defer("access_token", "refresh_token").get(pk=account.pk)
    assert account.needs_reconnect is True and "ENCRYPTION_KEYS" in account.last_error
    assert PostTarget.objects.get(pk=other.pk).status == Status.FAILED  # the account's waiting posts too


def deploy_check_ids():
    """The scheduler.* ids `manage.py check --deploy` reports (the same registry, run in-process)."""
    return {m.id for m in run_checks(include_deployment_checks=True, tags=[Tags.security]) if m.id.startswith("scheduler.")}


@pytest.mark.django_db
def test_check_deploy_warns_about_undecryptable_and_unrotated_secrets(account):
    assert not {"scheduler.W001", "scheduler.W002", "scheduler.W003"} & deploy_check_ids()
    with override_settings(ENCRYPTION_KEYS=[WRONG_KEY]):
        assert "scheduler.W002" in deploy_check_ids()
    from django.conf import settings

    with override_settings(ENCRYPTION_KEYS=[WRONG_KEY, *settings.ENCRYPTION_KEYS]):
        ids = deploy_check_ids()
        assert "scheduler.W003" in ids and "scheduler.W002" not in ids
    with override_settings(ENCRYPTION_KEYS=[]):
        assert "scheduler.W001" in deploy_check_ids()


@pytest.mark.django_db
def test_health_says_secrets_are_unreadable_without_revealing_anything(account, settings):
    settings.HEALTH_DETAIL_TOKEN = "monitoring"  # the detail is for staff and the monitoring's token
    assert Client().get("/health/", HTTP_X_HEALTH_TOKEN="monitoring").json()["encryption"] == "ok"
    from django.core.cache import cache

    cache.clear()
    with override_settings(ENCRYPTION_KEYS=[WRONG_KEY]):
        response = Client().get("/health/", HTTP_X_HEALTH_TOKEN="monitoring")
    assert response.status_code == 200
    body = response.json()
    assert body["encryption"] == "warning: stored secrets cannot be decrypted with ENCRYPTION_KEYS"
    assert WRONG_KEY not in response.content.decode() and str(account.pk) not in body["encryption"]
