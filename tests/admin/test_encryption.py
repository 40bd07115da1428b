"""Secrets at rest: what the database holds, key rotation, and rotate_encryption_keys."""

from datetime import timedelta
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from config.encryption import UndecryptableSecret
from social_media.models import ConnectedAccount, OAuthApp, OAuthState
from tests.factories import ConnectedAccountFactory, UserFactory

NEW = Fernet.generate_key().decode()
STRANGER = Fernet.generate_key().decode()


def raw(model, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{model._meta.db_table}" WHERE id = %s', [pk])
        return cursor.fetchone()[0]


def reload(account):
    return ConnectedAccount.objects.get(pk=account.pk)


@pytest.fixture
def old_key():
    return settings.ENCRYPTION_KEYS[0]


@pytest.fixture
def secrets_everywhere(db):
    user = UserFactory()
    account = ConnectedAccountFactory(access_token="plain-access-1111", refresh_token="plain-refresh-2222")
    app = OAuthApp.objects.create(platform="mastodon", instance_url="https://m.example", client_id="cid", client_secret="plain-secret-3333")
    state = OAuthState.objects.create(
        state="s1", platform="x", user=user, workspace=user.personal_workspace, code_verifier="plain-verifier-4444",
        redirect_uri="http://127.0.0.1/cb", expires_at=timezone.now() + timedelta(minutes=10),
    )
    return account, app, state


def rotate_keys(*args):
    out = StringIO()
    call_command("rotate_encryption_keys", *args, stdout=out)
    return out.getvalue()


def test_it_keeps_no_plaintext_in_the_database(secrets_everywhere):
    account, app, state = secrets_everywhere
    stored = {
        "plain-access-1111": raw(ConnectedAccount, "access_token", account.pk),
        "plain-refresh-2222": raw(ConnectedAccount, "refresh_token", account.pk),
        "plain-secret-3333": raw(OAuthApp, "client_secret", app.pk),
        "plain-verifier-4444": raw(OAuthState, "code_verifier", state.pk),
    }

    for plaintext, value in stored.items():
        assert value.startswith("enc1:")
        assert plaintext not in value
    assert reload(account).access_token == "plain-access-1111"


def test_it_stores_an_empty_token_as_empty(db):
    account = ConnectedAccountFactory(refresh_token="")

    assert raw(ConnectedAccount, "refresh_token", account.pk) == ""
    assert reload(account).refresh_token == ""


def test_it_still_decrypts_old_values_once_a_new_key_leads(secrets_everywhere, old_key):
    account, _, _ = secrets_everywhere

    with override_settings(ENCRYPTION_KEYS=[NEW, old_key]):
        assert reload(account).access_token == "plain-access-1111"


def test_it_writes_with_the_newest_key(db, old_key):
    with override_settings(ENCRYPTION_KEYS=[NEW, old_key]):
        account = ConnectedAccountFactory(access_token="written-after-rotation")

    with override_settings(ENCRYPTION_KEYS=[NEW]):
        assert reload(account).access_token == "written-after-rotation"
    with override_settings(ENCRYPTION_KEYS=[old_key]), pytest.raises(UndecryptableSecret):
        reload(account)


def test_it_raises_a_clear_error_when_no_key_decrypts(secrets_everywhere):
    account, _, _ = secrets_everywhere
    ciphertext = raw(ConnectedAccount, "access_token", account.pk)

    with override_settings(ENCRYPTION_KEYS=[STRANGER]), pytest.raises(UndecryptableSecret) as caught:
        reload(account)

    assert "ENCRYPTION_KEYS" in str(caught.value)
    assert ciphertext[5:25] not in str(caught.value)


class TestRotateCommand:
    def test_it_reencrypts_every_secret_so_only_the_new_key_is_needed(self, secrets_everywhere, old_key):
        account, app, state = secrets_everywhere
        before = raw(ConnectedAccount, "access_token", account.pk)

        with override_settings(ENCRYPTION_KEYS=[NEW, old_key]):
            output = rotate_keys()

        assert "Re-encrypted 4 secret(s)" in output
        assert "0 undecryptable" in output
        assert raw(ConnectedAccount, "access_token", account.pk) != before
        with override_settings(ENCRYPTION_KEYS=[NEW]):
            account = reload(account)
            assert (account.access_token, account.refresh_token) == ("plain-access-1111", "plain-refresh-2222")
            assert OAuthApp.objects.get(pk=app.pk).client_secret == "plain-secret-3333"
            assert OAuthState.objects.get(pk=state.pk).code_verifier == "plain-verifier-4444"
        with override_settings(ENCRYPTION_KEYS=[old_key]):
            for load in (lambda: reload(account), lambda: OAuthApp.objects.get(pk=app.pk), lambda: OAuthState.objects.get(pk=state.pk)):
                with pytest.raises(UndecryptableSecret):
                    load()

    def test_it_leaves_other_columns_and_empty_values_alone(self, db, old_key):
        account = ConnectedAccountFactory(refresh_token="")
        updated_at = account.updated_at

        with override_settings(ENCRYPTION_KEYS=[NEW, old_key]):
            rotate_keys()

        assert raw(ConnectedAccount, "refresh_token", account.pk) == ""
        assert ConnectedAccount.objects.values_list("updated_at", flat=True).get(pk=account.pk) == updated_at

    def test_it_works_through_many_batches_and_shows_progress(self, db, old_key):
        accounts = ConnectedAccountFactory.create_batch(5)

        with override_settings(ENCRYPTION_KEYS=[NEW, old_key]):
            output = rotate_keys("--batch-size", "2", "--verbosity", "2")

        assert "Re-encrypted 10 secret(s)" in output
        assert "social_media.ConnectedAccount.access_token: up to id" in output
        with override_settings(ENCRYPTION_KEYS=[NEW]):
            assert [reload(a).access_token for a in accounts] == [a.access_token for a in accounts]

    def test_a_dry_run_changes_nothing(self, secrets_everywhere, old_key):
        account, _, _ = secrets_everywhere
        before = raw(ConnectedAccount, "access_token", account.pk)

        with override_settings(ENCRYPTION_KEYS=[NEW, old_key]):
            output = rotate_keys("--dry-run")

        assert "Would re-encrypt 4 secret(s)" in output
        assert raw(ConnectedAccount, "access_token", account.pk) == before

    def test_it_names_values_no_key_decrypts_and_still_rotates_the_rest(self, db, old_key):
        good = ConnectedAccountFactory(access_token="good-token", refresh_token="")
        with override_settings(ENCRYPTION_KEYS=[STRANGER]):
            lost = ConnectedAccountFactory(access_token="lost-token", refresh_token="")

        with override_settings(ENCRYPTION_KEYS=[NEW, old_key]), pytest.raises(CommandError) as caught:
            rotate_keys()

        message = str(caught.value)
        assert f"social_media.ConnectedAccount.access_token id={lost.pk}" in message
        assert "1 undecryptable" in message and "Re-encrypted 1 secret(s)" in message
        assert "lost-token" not in message
        with override_settings(ENCRYPTION_KEYS=[NEW]):
            assert reload(good).access_token == "good-token"

    def test_it_rejects_a_batch_size_below_one(self, db):
        with pytest.raises(CommandError, match="batch-size"):
            rotate_keys("--batch-size", "0")
