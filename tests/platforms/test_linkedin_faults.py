"""LinkedIn failures, each as the fake answers it on the wire, and the typed error the adapter makes
of it: expired and revoked tokens, missing permission, quota, 5xx and timeouts after the post was
created, LinkedIn's duplicate refusal, the versioned headers, and reconcile when reading is refused."""

import socket
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from social_media.platforms import PlatformFactory
from social_media.platforms.base import (
    AccountDisconnected,
    InvalidContent,
    OutcomeUnknown,
    PlatformError,
    RateLimited,
    TokenExpired,
    TransientError,
)
from tests.platforms.conftest_linkedin import make_linkedin_account
from tests.platforms.conftest_x import png
from tests.platforms.test_linkedin import make_target

pytestmark = pytest.mark.django_db(transaction=True)


def adapter_for(account):
    return PlatformFactory.get_platform(account)


def publish(account, content="Hello LinkedIn"):
    target = make_target(account, content)
    return target, adapter_for(account).publish(target, content, [])


def test_an_expired_token_is_token_expired(linkedin_account, linkedin_fake):
    linkedin_fake.expire(linkedin_account.access_token)
    with pytest.raises(TokenExpired):
        publish(linkedin_account)
    assert linkedin_fake.posts_by(linkedin_account.platform_user_id) == []


def test_a_revoked_token_disconnects_the_account(linkedin_account, linkedin_fake):
    linkedin_fake.revoke(linkedin_account.access_token)
    with pytest.raises(AccountDisconnected, match="revoked"):
        publish(linkedin_account)


def test_a_token_without_posting_permission_disconnects_the_account(linkedin_settings, linkedin_fake, db):
    account = make_linkedin_account(linkedin_fake, scopes=["openid", "profile"])
    with pytest.raises(AccountDisconnected, match="permission") as caught:
        publish(account)
    assert caught.value.http_status == 403


def test_a_page_the_member_no_longer_administers_refuses_the_post(linkedin_page_account, linkedin_fake):
    org = linkedin_fake.organizations[linkedin_page_account.platform_user_id.rsplit(":", 1)[1]]
    org.admins.clear()
    with pytest.raises(AccountDisconnected):
        publish(linkedin_page_account)


def test_an_exhausted_quota_is_rate_limited_with_linkedins_wait(linkedin_account, linkedin_fake):
    linkedin_fake.fail_next("rate_limit", path="/rest/posts", method="POST", retry_after=120)
    with pytest.raises(RateLimited) as caught:
        publish(linkedin_account)
    assert caught.value.retry_after == 120


def test_a_quota_without_retry_after_waits_for_linkedins_daily_reset(linkedin_account, linkedin_fake):
    linkedin_fake.fail_next("rate_limit", path="/rest/posts", method="POST")
    with pytest.raises(RateLimited) as caught:
        publish(linkedin_account)
    assert 0 < caught.value.retry_after <= 24 * 3600


def test_a_5xx_after_the_post_was_created_is_an_unknown_outcome_that_reconcile_settles(linkedin_account, linkedin_fake):
    linkedin_fake.fail_next("error_after_store", path="/rest/posts", method="POST", status=504)
    target = make_target(linkedin_account, "Did it land?")
    with pytest.raises(OutcomeUnknown):
        adapter_for(linkedin_account).publish(target, target.content, [])
    [post] = linkedin_fake.posts_by(linkedin_account.platform_user_id)
    answer = adapter_for(linkedin_account).reconcile(target)
    assert answer.found is not None and answer.found.platform_post_id == post.urn


def test_a_5xx_on_a_read_is_transient(linkedin_account, linkedin_fake):
    _target, result = publish(linkedin_account)
    linkedin_fake.fail_next("server_error", path="/rest/socialActions/", status=503)
    with pytest.raises(TransientError):
        adapter_for(linkedin_account).fetch_metrics(result.platform_post_id)


def test_a_timeout_after_sending_is_an_unknown_outcome(linkedin_account, linkedin_fake, settings):
    settings.LINKEDIN_TIMEOUT_SECONDS = 1
    linkedin_fake.fail_next("timeout", path="/rest/posts", method="POST", delay=3)
    with pytest.raises(OutcomeUnknown):
        publish(linkedin_account)


def test_a_connection_refused_before_sending_is_transient(linkedin_account, settings):
    with socket.socket() as unused:  # a loopback port nothing listens on
        unused.bind(("127.0.0.1", 0))
        settings.LINKEDIN_API_BASE_URL = f"http://127.0.0.1:{unused.getsockname()[1]}"
    with pytest.raises(TransientError, match="Could not reach"):
        publish(linkedin_account)


def test_linkedins_duplicate_refusal_of_our_own_earlier_post_settles_as_that_post(linkedin_account, linkedin_fake):
    target, first = publish(linkedin_account, "Same words")
    body = linkedin_fake.requests_to("/rest/posts", "POST")[0].json
    answer = requests.post(f"{linkedin_fake.base_url}/rest/posts", json=body, timeout=5, headers={
        "Authorization": f"Bearer {linkedin_account.access_token}", "LinkedIn-Version": "202611", "X-Restli-Protocol-Version": "2.0.0"})
    assert answer.status_code == 422 and answer.json()["errorDetails"]["inputErrors"][0]["code"] == "DUPLICATE_POST"
    target.claimed_at = timezone.now() - timedelta(seconds=5)  # the retry of the attempt that landed
    again = adapter_for(linkedin_account).publish(target, "Same words", [])
    assert again.platform_post_id == first.platform_post_id
    assert len(linkedin_fake.posts_by(linkedin_account.platform_user_id)) == 1


def test_a_duplicate_of_an_older_post_asks_for_other_text(linkedin_account, linkedin_fake):
    old = linkedin_fake.add_post(linkedin_account.platform_user_id, "Good morning")
    old.created_at = old.modified_at = old.created_at - 86_400_000
    target = make_target(linkedin_account, "Good morning")
    target.claimed_at = timezone.now()
    with pytest.raises(InvalidContent, match="already posted the same text"):
        adapter_for(linkedin_account).publish(target, "Good morning", [])


def test_the_fake_refuses_rest_calls_without_the_versioned_headers(linkedin_account, linkedin_fake):
    url, auth = f"{linkedin_fake.base_url}/rest/posts", {"Authorization": f"Bearer {linkedin_account.access_token}"}
    missing = requests.post(url, json={}, headers=auth, timeout=5)
    assert missing.status_code == 400 and missing.json()["code"] == "VERSION_MISSING"
    protocol = requests.post(url, json={}, headers={**auth, "LinkedIn-Version": "202611"}, timeout=5)
    assert protocol.status_code == 400
    unencoded = requests.delete(f"{url}/urn:li:share:1", timeout=5, headers={**auth, "LinkedIn-Version": "202611", "X-Restli-Protocol-Version": "2.0.0"})
    assert unencoded.status_code == 400


def test_a_retired_api_version_names_the_setting_to_change(linkedin_account, linkedin_fake, settings):
    settings.LINKEDIN_VERSION = "202301"
    with pytest.raises(PlatformError, match="LINKEDIN_VERSION") as caught:
        publish(linkedin_account)
    assert caught.value.http_status == 426 and not isinstance(caught.value, (TransientError, AccountDisconnected))


def test_reconcile_is_unknown_when_linkedin_will_not_list_the_members_posts(linkedin_settings, linkedin_fake, db):
    account = make_linkedin_account(linkedin_fake, scopes=["openid", "profile", "w_member_social"])  # no r_member_social
    target, _result = publish(account, "Cannot be looked up")
    answer = adapter_for(account).reconcile(target)
    assert answer.found is None and not answer.not_found


def test_reconcile_ignores_the_authors_older_posts_with_the_same_text(linkedin_account, linkedin_fake):
    old = linkedin_fake.add_post(linkedin_account.platform_user_id, "Weekly tip")
    old.created_at = old.modified_at = old.created_at - 3 * 86_400_000
    target = make_target(linkedin_account, "Weekly tip")
    target.claimed_at = timezone.now()
    answer = adapter_for(linkedin_account).reconcile(target)
    assert answer.found is None and answer.not_found


def test_an_image_upload_that_breaks_posts_nothing_and_is_retried_later(linkedin_account, linkedin_fake):
    linkedin_fake.fail_next("drop", path="/dms-uploads/", method="PUT")
    target = make_target(linkedin_account, "With a picture")
    with pytest.raises(TransientError):
        adapter_for(linkedin_account).publish(target, target.content, [png(linkedin_account)])
    assert linkedin_fake.requests_to("/rest/posts", "POST") == []


def test_the_fake_refuses_a_post_naming_an_image_that_was_never_uploaded(linkedin_account, linkedin_fake):
    headers = {"Authorization": f"Bearer {linkedin_account.access_token}", "LinkedIn-Version": "202611", "X-Restli-Protocol-Version": "2.0.0"}
    init = requests.post(f"{linkedin_fake.base_url}/rest/images?action=initializeUpload", headers=headers, timeout=5,
                         json={"initializeUploadRequest": {"owner": linkedin_account.platform_user_id}}).json()["value"]
    body = {"author": linkedin_account.platform_user_id, "commentary": "x", "visibility": "PUBLIC", "lifecycleState": "PUBLISHED",
            "distribution": {"feedDistribution": "MAIN_FEED"}, "content": {"media": {"id": init["image"]}}}
    answer = requests.post(f"{linkedin_fake.base_url}/rest/posts", json=body, headers=headers, timeout=5)
    assert answer.status_code == 422 and "WAITING_UPLOAD" in answer.json()["message"]


def test_the_fake_retires_versions_after_a_year_and_grants_no_partner_scope_by_default():
    from datetime import date

    from tests.fakes.linkedin_fake import DEFAULT_SCOPES, active_versions

    versions = active_versions(date(2026, 12, 6))
    assert "202505" not in versions and {"202512", "202611"} <= versions and "202612" not in versions
    assert "r_member_social" not in DEFAULT_SCOPES


def test_the_default_api_version_is_one_linkedin_still_serves():
    """config/settings.py's LINKEDIN_VERSION default must be bumped before LinkedIn retires it (426)."""
    from django.conf import settings as django_settings

    from tests.fakes.linkedin_fake import active_versions

    assert django_settings.LINKEDIN_VERSION in active_versions()
