"""Mastodon servers for adapter tests.

- `mastodon_mock` (session): mastodon-mock 0.6.1 (`mastodon_mock serve --in-memory`) in a subprocess on
  a free 127.0.0.1 port; `mastodon_mock.new_user()` makes a fresh local account with a token, so tests
  never see each other's statuses.
- `mastodon_fake` (per test): tests/fakes/mastodon_fake/, fresh state and faults for every test.
"""

import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.fakes.mastodon_fake import MastodonFake
from tests.services import free_port

__all__ = ["mastodon_mock", "mastodon_fake", "MockUser", "MastodonMock"]


@dataclass
class MockUser:
    id: str
    username: str
    token: str


class MastodonMock:
    def __init__(self, base_url):
        self.base_url = base_url
        self.http = requests.Session()

    def new_user(self, username=None) -> MockUser:
        body = {"username": username} if username else {}
        answer = self.http.post(f"{self.base_url}/api/v1/_mock/dev_user", json=body, timeout=10)
        answer.raise_for_status()
        data = answer.json()
        return MockUser(id=data["id"], username=data["username"], token=data["access_token"])

    def api(self, method, path, token, **kwargs):
        """A raw authenticated request, for setting up or inspecting server state."""
        return self.http.request(method, f"{self.base_url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=10, **kwargs)

    def statuses_of(self, user: MockUser):
        answer = self.api("GET", f"/api/v1/accounts/{user.id}/statuses", user.token, params={"limit": 40})
        answer.raise_for_status()
        return answer.json()


@pytest.fixture(scope="session")
def mastodon_mock(tmp_path_factory):
    root = tmp_path_factory.mktemp("mastodon-mock")
    (root / "media").mkdir()
    config = root / "mastodon_mock.toml"
    config.write_text(f'media_storage_path = "{root / "media"}"\n\n[database]\npath = ":memory:"\n')
    executable = Path(sys.executable).parent / "mastodon_mock"
    if not executable.exists():
        executable = shutil.which("mastodon_mock")
    port = free_port()
    log = open(root / "server.log", "wb")
    process = subprocess.Popen(
        [str(executable), "serve", "--in-memory", "--host", "127.0.0.1", "--port", str(port), "--config", str(config)],
        stdout=log, stderr=subprocess.STDOUT, cwd=root,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base_url, process, root / "server.log")
        yield MastodonMock(base_url)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()


def _wait_until_ready(base_url, process, log_path, timeout=120.0):  # ~4 s idle; far longer on a loaded machine
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mastodon-mock exited early:\n{log_path.read_text()[-2000:]}")
        try:
            if requests.get(f"{base_url}/api/v2/instance", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"mastodon-mock did not answer within {timeout}s")


@pytest.fixture
def mastodon_fake():
    fake = MastodonFake()
    fake.start()
    yield fake
    fake.stop()
