"""The Mastodon adapter against tests/fakes/mastodon_fake/: media processing, faults and how each
is classified, reconciliation, per-instance limits, and PKCE."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

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
    TransientError,
    pkce_pair,
)
from social_media.platforms.mastodon import MastodonAdapter
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory
from tests.platforms.test_mastodon_mock import png_item
from tests.services import free_port

pytestmark = pytest.mark.django_db

STATUSES = "/api/v1/statuses"


@pytest.fixture
def alice(mastodon_fake):
    return mastodon_fake.add_account("alice")


@pytest.fixture
def adapter(mastodon_fake, alice):
    account, token = alice
    connected = ConnectedAccountFactory(
        platform_user_id=account["id"], platform_username="alice@fake", access_token=token, refresh_token="",
        instance_url=mastodon_fake.base_url, platform_settings={"version": "4.3.2"},
    )
    adapter = PlatformFactory.get_platform(connected)
    adapter.media_poll_interval = 0.01
    return adapter


def target_for(adapter, content, **platform_specific_settings):
    post = PostFactory(workspace=adapter.account.workspace, content=content)
    return PostTargetFactory(
        post=post, account=adapter.account, platform_specific_settings=platform_specific_settings, claimed_at=timezone.now()
    )


def requests_to(fake, method, prefix):
    return [r for r in fake.requests if r.method == method and r.path.startswith(prefix)]


# --- Media ----------------------------------------------------------------------------------
def test_it_waits_while_mastodon_processes_media_then_posts(mastodon_fake, adapter):
    mastodon_fake.processing_polls = 2
    item, data = png_item(alt_text="Chart of the week")
    target = target_for(adapter, "Weekly chart")

    result = adapter.publish(target, target.content, [item])

    [upload] = requests_to(mastodon_fake, "POST", "/api/v2/media")
    assert upload.files[0]["data"] == data and upload.files[0]["content_type"] == "image/png"
    assert upload.form["description"] == ["Chart of the week"]
    [media_id] = mastodon_fake.media
    assert len(requests_to(mastodon_fake, "GET", f"/api/v1/media/{media_id}")) == 3  # 206, 206, 200
    [status] = mastodon_fake.posts
    assert status["id"] == result.platform_post_id and status["media_ids"] == [media_id]
    assert requests_to(mastodon_fake, "POST", STATUSES)[0].headers["idempotency-key"] == str(target.idempotency_key)


def test_it_gives_up_on_media_that_stays_in_processing_with_a_transient_error(mastodon_fake, adapter):
    mastodon_fake.processing_polls = 10_000
    adapter.media_processing_timeout = 0.2
    target = target_for(adapter, "Video that never finishes")

    with pytest.raises(TransientError, match="still processing attachment 1"):
        adapter.publish(target, target.content, [png_item()[0]])

    assert mastodon_fake.posts == []


def test_a_publish_reads_the_answer_undecoded_and_other_calls_stay_typed(mastodon_fake, adapter):
    """The publish skips Mastodon.py's entity casting (a third of the engine's CPU per post) and still
    reads the id, link and UTC time; the same client's next call gets Mastodon.py's typed entities."""
    from mastodon.return_types import Status as MastodonStatus

    target = target_for(adapter, "Plain JSON, please")
    result = adapter.publish(target, target.content, [])

    [status] = mastodon_fake.posts
    assert result.platform_post_id == status["id"] and result.url.startswith(mastodon_fake.base_url)
    assert result.published_at.utcoffset() == timedelta(0)
    assert abs((result.published_at - timezone.now()).total_seconds()) < 60
    assert "_Mastodon__try_cast_to_type" not in vars(adapter.conn.api)  # the caster is back
    again = adapter.conn.call(adapter.conn.api.status, status["id"], what="post")
    assert isinstance(again, MastodonStatus) and again.created_at.tzinfo is not None
    undecoded = adapter.conn.call(adapter.conn.api.status, status["id"], what="post", typed=False)
    assert type(undecoded) is dict and isinstance(undecoded["created_at"], str)


# --- Faults ---------------------------------------------------------------------------------
def test_it_raises_rate_limited_with_the_time_until_x_ratelimit_reset(mastodon_fake, adapter):
    mastodon_fake.fail_next("429", method="POST", path=STATUSES, reset_in=30)
    target = target_for(adapter, "Too fast")

    with pytest.raises(RateLimited) as caught:
        adapter.publish(target, target.content, [])

    assert 28 <= caught.value.retry_after <= 31
    assert caught.value.http_status == 429 and mastodon_fake.posts == []


def test_it_prefers_retry_after_when_the_server_sends_it(mastodon_fake, adapter):
    mastodon_fake.fail_next("429", method="POST", path=STATUSES, reset_in=300, retry_after=7)
    target = target_for(adapter, "Too fast")

    with pytest.raises(RateLimited) as caught:
        adapter.publish(target, target.content, [])

    assert caught.value.retry_after == 7


@pytest.mark.parametrize("status", [500, 503])
def test_it_raises_a_transient_error_on_a_server_error(mastodon_fake, adapter, status):
    mastodon_fake.fail_next("500", method="POST", path=STATUSES, status=status)
    target = target_for(adapter, "Server trouble")

    with pytest.raises(TransientError) as caught:
        adapter.publish(target, target.content, [])

    assert caught.value.http_status == status and mastodon_fake.posts == []


def test_it_raises_a_transient_error_when_the_instance_refuses_connections(adapter):
    adapter.account.instance_url = f"http://127.0.0.1:{free_port()}"
    target = target_for(adapter, "Nobody home")

    with pytest.raises(TransientError, match="Could not connect"):
        adapter.publish(target, target.content, [])


def test_it_raises_outcome_unknown_when_the_answer_times_out_after_the_post_was_stored(mastodon_fake, adapter):
    adapter.request_timeout = (2.0, 0.5)
    mastodon_fake.fail_next("timeout", method="POST", path=STATUSES, delay=2)
    target = target_for(adapter, "Slow instance")

    with pytest.raises(OutcomeUnknown):
        adapter.publish(target, target.content, [])

    [status] = mastodon_fake.posts
    answer = adapter.reconcile(target)
    assert answer.found.platform_post_id == status["id"] and answer.found.url == status["url"]


def test_it_reconciles_a_status_whose_answer_was_lost_by_its_visible_text(mastodon_fake, adapter):
    mastodon_fake.fail_next("drop_after_store", method="POST", path=STATUSES)
    content = "Fish & chips\n\nwith @bob@other.example <3"
    target = target_for(adapter, content)

    with pytest.raises(OutcomeUnknown):
        adapter.publish(target, target.content, [])

    answer = adapter.reconcile(target)
    assert answer.found.platform_post_id == mastodon_fake.posts[0]["id"]
    assert requests_to(mastodon_fake, "GET", STATUSES) == []  # matched on content, no /source lookups
    assert len(requests_to(mastodon_fake, "POST", STATUSES)) == 1  # reconcile never posts


def test_it_reconciles_a_dropped_request_as_not_found(mastodon_fake, adapter):
    mastodon_fake.fail_next("drop", method="POST", path=STATUSES)
    target = target_for(adapter, "Lost on the way")

    with pytest.raises(OutcomeUnknown):
        adapter.publish(target, target.content, [])

    assert mastodon_fake.posts == []
    answer = adapter.reconcile(target)
    assert answer.found is None and answer.not_found is True


def test_it_answers_unknown_when_more_recent_statuses_exist_than_it_can_see(mastodon_fake, alice, adapter):
    target = target_for(adapter, "Needle")
    target.claimed_at = timezone.now() - timedelta(hours=1)
    for number in range(40):
        requests.post(f"{mastodon_fake.base_url}{STATUSES}", data={"status": f"Hay {number}"},
                      headers={"Authorization": f"Bearer {alice[1]}"}, timeout=5).raise_for_status()

    answer = adapter.reconcile(target)

    assert answer.found is None and answer.not_found is False


@pytest.mark.parametrize("kind", ["401", "revoked"])
def test_it_reports_a_revoked_token_as_account_disconnected(mastodon_fake, alice, adapter, kind):
    if kind == "revoked":
        mastodon_fake.revoke(alice[1])
    else:
        mastodon_fake.fail_next("401")
    target = target_for(adapter, "Who am I")

    with pytest.raises(AccountDisconnected) as caught:
        adapter.publish(target, target.content, [])

    assert caught.value.http_status == 401 and alice[1] not in str(caught.value)


def test_it_reports_a_disabled_login_as_account_disconnected(mastodon_fake, adapter):
    mastodon_fake.fail_next("403", method="POST", path=STATUSES)
    target = target_for(adapter, "Suspended")

    with pytest.raises(AccountDisconnected) as caught:
        adapter.publish(target, target.content, [])

    assert caught.value.message == "Mastodon refused access for this account: Your login is currently disabled. Reconnect or check the account."
    assert caught.value.http_status == 403


def test_it_reports_an_attachment_the_instance_refuses_as_invalid_content(mastodon_fake, adapter):
    mastodon_fake.media_limits["supported_mime_types"] = ["image/jpeg"]  # the stored settings do not know this yet
    target = target_for(adapter, "A PNG")

    with pytest.raises(InvalidContent) as caught:
        adapter.publish(target, target.content, [png_item()[0]])

    assert caught.value.message == "Mastodon rejected the attachment: File content type image/png is not supported"
    assert mastodon_fake.posts == []


def test_it_treats_a_timed_out_read_as_transient_not_unknown(mastodon_fake, adapter):
    adapter.request_timeout = (2.0, 0.3)
    status_id = adapter.publish(target_for(adapter, "Read me"), "Read me", []).platform_post_id
    mastodon_fake.fail_next("timeout", method="GET", path=f"{STATUSES}/{status_id}", delay=1)

    with pytest.raises(TransientError, match="did not answer"):
        adapter.fetch_metrics(status_id)


def test_it_keeps_the_token_on_refresh_and_reports_a_revoked_one(mastodon_fake, alice, adapter):
    assert adapter.refresh_access_token().access_token == alice[1]

    mastodon_fake.revoke(alice[1])
    with pytest.raises(AccountDisconnected):
        adapter.refresh_access_token()


def test_it_rejects_invalid_content_before_any_request(mastodon_fake, adapter):
    target = target_for(adapter, "z" * 501, visibility="everyone")

    with pytest.raises(InvalidContent) as caught:
        adapter.publish(target, target.content, [])

    assert caught.value.errors == [
        "The text is 501 characters; this Mastodon instance allows 500 (each link counts as 23).",
        "'everyone' is not a Mastodon visibility; use one of public, unlisted, private, direct.",
    ]
    assert mastodon_fake.requests == []


def test_it_refuses_plain_http_instances_unless_allowed(settings, adapter):
    settings.ALLOW_INSECURE_NETWORK_URLS = False
    target = target_for(adapter, "Over http")

    with pytest.raises(PlatformError, match="must be reached over https"):
        adapter.publish(target, target.content, [])


# --- Limits ---------------------------------------------------------------------------------
def test_it_validates_against_the_limit_the_instance_announces(mastodon_fake, adapter):
    mastodon_fake.limits["max_characters"] = 1000
    adapter.account.platform_settings = adapter.verify_credentials().platform_settings

    assert adapter.account.platform_settings["max_characters"] == 1000
    assert adapter.validate("a" * 1000, []) == []
    assert adapter.validate("a" * 1001, []) == ["The text is 1,001 characters; this Mastodon instance allows 1,000 (each link counts as 23)."]


def test_it_falls_back_to_mastodon_defaults_and_records_it(mastodon_fake, adapter):
    mastodon_fake.announce_limits = False

    limits = adapter.verify_credentials().platform_settings

    assert {k: limits[k] for k in ("max_characters", "max_media_attachments", "characters_reserved_per_url", "description_limit")} == {
        "max_characters": 500, "max_media_attachments": 4, "characters_reserved_per_url": 23, "description_limit": 1500,
    }
    assert limits["limits_fallback"] == ["max_characters", "max_media_attachments", "characters_reserved_per_url", "description_limit"]
    assert "supported_mime_types" not in limits


def test_it_reads_v1_instance_information_when_v2_is_missing(mastodon_fake, adapter):
    mastodon_fake.instance_v2_enabled = False
    mastodon_fake.limits["max_characters"] = 640

    limits = adapter.verify_credentials().platform_settings

    assert limits["limits_source"] == "instance_v1" and limits["max_characters"] == 640 and limits["limits_fallback"] == []


# --- Connect flow ---------------------------------------------------------------------------
class App:
    def __init__(self, client_id, client_secret):
        self.client_id, self.client_secret = client_id, client_secret


def authorize(fake, verifier_challenge, redirect_uri="https://scheduler.example/cb"):
    app = App(*MastodonAdapter.register_app(instance_url=fake.base_url, redirect_uri=redirect_uri))
    url = MastodonAdapter.authorization_url(state="s1", redirect_uri=redirect_uri, code_challenge=verifier_challenge[1],
                                            instance_url=fake.base_url, oauth_app=app)
    location = requests.get(url, allow_redirects=False, timeout=5).headers["Location"]
    return app, parse_qs(urlsplit(location).query)


def test_it_sends_the_pkce_verifier_that_matches_the_challenge(mastodon_fake, alice):
    verifier, challenge = pkce_pair()
    app, returned = authorize(mastodon_fake, (verifier, challenge))

    profile = MastodonAdapter.exchange_code(code=returned["code"][0], redirect_uri="https://scheduler.example/cb",
                                            code_verifier=verifier, instance_url=mastodon_fake.base_url, oauth_app=app)

    assert profile.platform_user_id == alice[0]["id"]
    assert profile.platform_username == f"alice@{urlsplit(mastodon_fake.base_url).netloc}"
    [token_request] = requests_to(mastodon_fake, "POST", "/oauth/token")
    assert token_request.form["code_verifier"] == [verifier] and token_request.form["client_secret"] == [app.client_secret]


def test_it_fails_the_exchange_when_the_verifier_does_not_match(mastodon_fake, alice):
    app, returned = authorize(mastodon_fake, pkce_pair())

    with pytest.raises(PlatformError, match="code verifier does not match"):
        MastodonAdapter.exchange_code(code=returned["code"][0], redirect_uri="https://scheduler.example/cb",
                                      code_verifier=pkce_pair()[0], instance_url=mastodon_fake.base_url, oauth_app=app)


def test_it_reports_a_denied_authorization(mastodon_fake, alice):
    mastodon_fake.deny_authorization = True
    app, returned = authorize(mastodon_fake, pkce_pair())
    assert returned["error"] == ["access_denied"] and "code" not in returned

    with pytest.raises(PlatformError, match="denied or cancelled"):
        MastodonAdapter.exchange_code(code="", redirect_uri="https://scheduler.example/cb", code_verifier="v",
                                      instance_url=mastodon_fake.base_url, oauth_app=app)
