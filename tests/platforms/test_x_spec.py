"""Proof that the X adapter's requests match X's official OpenAPI spec (x-api-v2-openapi.json).

Prism 5.16 (`npm ci` in tests/fakes/prism) runs as a validating proxy in front of the X fake:
`prism proxy --errors SPEC FAKE_URL`. Every request is checked against the spec (path, query, headers,
security, JSON and multipart bodies) and answered 422 instead of being forwarded when it breaks it;
the fake's answers are checked too. The adapter therefore only succeeds here if every request it sends
is valid, and the fake's request log shows that Prism forwarded each one.

The spec is test data inside the repository (tests/platforms/data/, with its source and version), so
these tests run in any clone.
"""

import os
import signal
import subprocess
import time

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from social_media.platforms import PlatformFactory
from tests.factories import PostFactory, PostTargetFactory
from tests.platforms.conftest_x import png, video
from tests.services import free_port, wait_for_port

SPEC = settings.BASE_DIR / "tests" / "platforms" / "data" / "x-api-v2-openapi.json"
PRISM = settings.BASE_DIR / "tests" / "fakes" / "prism" / "node_modules" / ".bin" / "prism"
MB = 1024 * 1024

pytestmark = [
    pytest.mark.network,
    pytest.mark.django_db(transaction=True),
]


class Prism:
    def __init__(self, url, log_path):
        self.url, self.log_path = url, log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text, count=1, timeout=5.0) -> bool:
        """Prism writes its log asynchronously: wait until `text` appears `count` times."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log().count(text) >= count:
                return True
            time.sleep(0.05)
        return False

    def settled_log(self, quiet=0.3, timeout=5.0) -> str:
        """The log once Prism has stopped writing to it for `quiet` seconds."""
        deadline, last, since = time.monotonic() + timeout, None, time.monotonic()
        while time.monotonic() < deadline:
            text = self.log()
            if text != last:
                last, since = text, time.monotonic()
            elif time.monotonic() - since >= quiet:
                break
            time.sleep(0.05)
        return last


@pytest.fixture(scope="module")
def prism(x_fake, tmp_path_factory):
    if not PRISM.exists():
        pytest.fail("Prism is not installed: run `npm ci` in tests/fakes/prism (the Makefile's pds-deps target does).")
    port = free_port()
    log_path = tmp_path_factory.mktemp("prism") / "prism.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(PRISM), "proxy", "-h", "127.0.0.1", "-p", str(port), "--errors", str(SPEC), x_fake.base_url],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        wait_for_port(port, timeout=90)
        yield Prism(f"http://127.0.0.1:{port}", log_path)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(15)


@pytest.fixture
def account(prism, x_settings, x_account):
    x_settings.X_API_BASE_URL = prism.url
    return x_account


@pytest.fixture
def no_violations(prism):
    """Prism logs request/response violations, including warnings that --errors lets through."""
    seen = len(prism.log())
    yield
    new_lines = prism.settled_log()[seen:]
    assert "Request received" in new_lines
    assert not [line for line in new_lines.splitlines() if "✖" in line or "⚠" in line or "iolation" in line]


def target_for(account, content):
    return PostTargetFactory(post=PostFactory(workspace=account.workspace, content=content), account=account, claimed_at=timezone.now())


def forwarded(fake, method, path_prefix):
    return [r for r in fake.requests if r.method == method and r.path.startswith(path_prefix)]


def test_it_reads_users_me_as_the_spec_says(account, x_fake, no_violations):
    assert PlatformFactory.get_platform(account).verify_credentials().platform_user_id == account.platform_user_id
    assert forwarded(x_fake, "GET", "/2/users/me")


def test_it_publishes_two_images_with_alt_text_as_the_spec_says(account, x_fake, no_violations):
    target = target_for(account, "Spec-checked pictures")
    result = PlatformFactory.get_platform(account).publish(target, target.content, [png(account, "Red"), png(account, "Also red")])

    assert len(forwarded(x_fake, "POST", "/2/media/upload")) == 2
    assert len(forwarded(x_fake, "POST", "/2/media/metadata")) == 2
    assert x_fake.post(result.platform_post_id).media_ids == [m.json["id"] for m in forwarded(x_fake, "POST", "/2/media/metadata")]


def test_it_uploads_video_in_chunks_as_the_spec_says(account, x_fake, no_violations):
    target = target_for(account, "Spec-checked clip")
    result = PlatformFactory.get_platform(account).publish(target, target.content, [video(account, 5 * MB)])

    media_id = x_fake.post(result.platform_post_id).media_ids[0]
    assert [r.path for r in forwarded(x_fake, "POST", "/2/media/upload/")] == [
        "/2/media/upload/initialize", f"/2/media/upload/{media_id}/append", f"/2/media/upload/{media_id}/append",
        f"/2/media/upload/{media_id}/finalize",
    ]
    assert len(forwarded(x_fake, "GET", "/2/media/upload")) == 2


def test_it_reads_metrics_reconciles_and_deletes_as_the_spec_says(account, x_fake, no_violations):
    adapter = PlatformFactory.get_platform(account)
    target = target_for(account, "Spec-checked reads https://example.com/page")
    post_id = adapter.publish(target, target.content, []).platform_post_id
    x_fake.set_metrics(post_id, like_count=2)

    assert adapter.fetch_metrics(post_id).likes == 2
    assert adapter.reconcile(target).found.platform_post_id == post_id
    adapter.delete(post_id)

    assert x_fake.post(post_id).deleted
    assert forwarded(x_fake, "GET", f"/2/users/{account.platform_user_id}/tweets")


BROKEN_REQUESTS = {
    "non-numeric media id": ("POST", "/2/tweets", {"json": {"text": "x", "media": {"media_ids": ["abc"]}}}),
    "unknown post field": ("POST", "/2/tweets", {"json": {"text": "x", "status": "v1.1 style"}}),
    "v1.1-style INIT command": ("POST", "/2/media/upload/initialize", {"json": {"command": "INIT", "media_type": "video/mp4", "total_bytes": 3}}),
    "segment index over 999": ("POST", "/2/media/upload/1/append", {"data": {"segment_index": "1000"}, "files": {"media": ("c", b"1", "application/octet-stream")}}),
    "unknown media category": ("POST", "/2/media/upload", {"data": {"media_category": "photo"}, "files": {"media": ("c", b"1", "image/png")}}),
    "alt text over 1000 characters": ("POST", "/2/media/metadata", {"json": {"id": "1", "metadata": {"alt_text": {"text": "a" * 1001}}}}),
    "max_results over 100": ("GET", "/2/users/1/tweets", {"params": {"max_results": 500}}),
    "unknown post.fields value": ("GET", "/2/tweets/1", {"params": {"post.fields": "retweet_count"}}),
}


@pytest.mark.parametrize("name", BROKEN_REQUESTS)
def test_it_proves_prism_rejects_requests_that_break_the_spec(account, x_fake, prism, name):
    """The control: shapes the spec forbids are answered 422 and never reach the fake."""
    method, path, options = BROKEN_REQUESTS[name]
    before = prism.log().count("Request terminated with error")
    answer = requests.request(method, prism.url + path, headers={"Authorization": f"Bearer {account.access_token}"}, timeout=10, **options)
    assert answer.status_code == 422, answer.text
    assert x_fake.requests == []
    assert prism.wait_for_log("Request terminated with error", count=before + 1)


def test_it_proves_prism_rejects_requests_without_a_user_token(account, x_fake, prism):
    assert requests.get(f"{prism.url}/2/users/me", timeout=10).status_code == 401
    assert x_fake.requests == []
