"""Proof that the X adapter's requests match X's official OpenAPI spec (x-api-v2-openapi.json).

Prism 5.16 (`npm ci` in tests/fakes/prism) runs as a validating proxy in front of the X fake:
`prism proxy --errors SPEC FAKE_URL`. Every request is checked against the spec (path, query, headers,
security, JSON and multipart bodies) and answered 422 instead of being forwarded when it breaks it;
the fake's answers are checked too. The adapter therefore only succeeds here if every request it sends
is valid, and the fake's request log shows that Prism forwarded each one.

The spec is read from ../shared relative to the project root (CI clones shared/ beside the project).
"""

import os
import signal
import subprocess

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from social_media.platforms import PlatformFactory
from tests.factories import PostFactory, PostTargetFactory
from tests.platforms.conftest_x import png, video
from tests.services import free_port, wait_for_port

SPEC = settings.BASE_DIR.parent / "shared" / "x-api-v2-openapi.json"
PRISM = settings.BASE_DIR / "tests" / "fakes" / "prism" / "node_modules" / ".bin" / "prism"
MB = 1024 * 1024

pytestmark = [
    pytest.mark.network,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not SPEC.exists(), reason=f"X's OpenAPI spec is not at {SPEC} (shared/ is cloned beside the project)"),
]


@pytest.fixture(scope="module")
def prism(x_fake, tmp_path_factory):
    if not PRISM.exists():
        pytest.fail("Prism is not installed: run `npm ci` in tests/fakes/prism (the Makefile's pds-deps target does).")
    port = free_port()
    log = (tmp_path_factory.mktemp("prism") / "prism.log").open("w+")
    process = subprocess.Popen(
        [str(PRISM), "proxy", "-h", "127.0.0.1", "-p", str(port), "--errors", str(SPEC), x_fake.base_url],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        wait_for_port(port, timeout=90)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(15)
        log.close()


@pytest.fixture
def account(prism, x_settings, x_account):
    x_settings.X_API_BASE_URL = prism
    return x_account


def target_for(account, content):
    return PostTargetFactory(post=PostFactory(workspace=account.workspace, content=content), account=account, claimed_at=timezone.now())


def forwarded(fake, method, path_prefix):
    return [r for r in fake.requests if r.method == method and r.path.startswith(path_prefix)]


def test_users_me_matches_the_spec(account, x_fake):
    assert PlatformFactory.get_platform(account).verify_credentials().platform_user_id == account.platform_user_id
    assert forwarded(x_fake, "GET", "/2/users/me")


def test_publishing_with_two_images_and_alt_text_matches_the_spec(account, x_fake):
    target = target_for(account, "Spec-checked pictures")
    result = PlatformFactory.get_platform(account).publish(target, target.content, [png(account, "Red"), png(account, "Also red")])

    assert len(forwarded(x_fake, "POST", "/2/media/upload")) == 2
    assert len(forwarded(x_fake, "POST", "/2/media/metadata")) == 2
    assert x_fake.post(result.platform_post_id).media_ids == [m.json["id"] for m in forwarded(x_fake, "POST", "/2/media/metadata")]


def test_chunked_video_upload_matches_the_spec(account, x_fake):
    target = target_for(account, "Spec-checked clip")
    result = PlatformFactory.get_platform(account).publish(target, target.content, [video(account, 5 * MB)])

    media_id = x_fake.post(result.platform_post_id).media_ids[0]
    assert [r.path for r in forwarded(x_fake, "POST", "/2/media/upload/")] == [
        "/2/media/upload/initialize", f"/2/media/upload/{media_id}/append", f"/2/media/upload/{media_id}/append",
        f"/2/media/upload/{media_id}/finalize",
    ]
    assert len(forwarded(x_fake, "GET", "/2/media/upload")) == 2


def test_metrics_reconcile_and_delete_match_the_spec(account, x_fake):
    adapter = PlatformFactory.get_platform(account)
    target = target_for(account, "Spec-checked reads https://example.com/page")
    post_id = adapter.publish(target, target.content, []).platform_post_id
    x_fake.set_metrics(post_id, like_count=2)

    assert adapter.fetch_metrics(post_id).likes == 2
    assert adapter.reconcile(target).found.platform_post_id == post_id
    adapter.delete(post_id)

    assert x_fake.post(post_id).deleted
    assert forwarded(x_fake, "GET", f"/2/users/{account.platform_user_id}/tweets")


def test_prism_rejects_requests_that_break_the_spec(account, x_fake, prism):
    """The control: shapes the spec forbids never reach the fake."""
    auth = {"Authorization": f"Bearer {account.access_token}"}
    bad_media_id = requests.post(f"{prism}/2/tweets", json={"text": "x", "media": {"media_ids": ["abc"]}}, headers=auth, timeout=10)
    v1_style_init = requests.post(f"{prism}/2/media/upload", data={"command": "INIT", "media_category": "tweet_video"},
                                  files={"media": ("m", b"123", "application/octet-stream")}, headers=auth, timeout=10)
    no_auth = requests.get(f"{prism}/2/users/me", timeout=10)

    assert (bad_media_id.status_code, v1_style_init.status_code, no_auth.status_code) == (422, 422, 401)
    assert x_fake.requests == []
