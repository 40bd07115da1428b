"""The API contract on exactly what `make run` runs: `manage.py runall` with no DATABASE_URL, REDIS_URL or
broker (so the private PostgreSQL under a fresh VAR_DIR, the filesystem broker and the local-memory
cache), driven over HTTP the way a newcomer does after "Try it locally" in the README: register, log
in, connect a mastodon-mock account, upload an image with alt text, create, list, read, schedule, and
see the post published on mastodon-mock.

On make run's former SQLite, `POST /api/v1/posts/` answered 500 (the post bodies are built by
PostgreSQL-only SQL); nothing in the suite ran the API on that configuration. One runall serves the
whole module (its first start creates and migrates the database)."""

import io
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from PIL import Image
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from config import embedded_db
from tests.ops.conftest import ROOT, base_env
from tests.services import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.network]

START_TIMEOUT = 240
FRONTEND_URL = "http://127.0.0.1:9/connected"  # the API flow's callback redirects here; never followed


class Served:
    def __init__(self, env):
        self.env = env
        self.port = int(env["PORT"])
        self.base = f"http://127.0.0.1:{self.port}"
        self.lines = []
        # What the Makefile's run recipe execs, with its DEBUG default.
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runall"], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self):
        return "\n".join(self.lines)

    def wait_until_serving(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"runall exited early:\n{self.output}"
            if "Stop with Ctrl-C" in self.output:
                try:
                    if requests.get(f"{self.base}/health/", timeout=5).status_code == 200:
                        return
                except requests.RequestException:
                    pass
            time.sleep(0.5)
        pytest.fail(f"runall did not serve within {START_TIMEOUT}s:\n{self.output}")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(60)
        finally:
            if self.process.poll() is None:
                self.process.kill()


@pytest.fixture(scope="module")
def served(make_var_dir):
    env = base_env(
        DEBUG="1", VAR_DIR=make_var_dir(), PORT=free_port(), FRONTEND_URL=FRONTEND_URL,
        # mastodon-mock speaks plain http on 127.0.0.1 ("Try it locally" in the README).
        ALLOW_INSECURE_NETWORK_URLS="1", OUTBOUND_ALLOWED_PRIVATE_ADDRESSES="127.0.0.1",
        # Self-registration through the API (and the web app).
        REGISTRATION_ENABLED="1",
    )
    server = Served(env)
    try:
        server.wait_until_serving()
        yield server
    finally:
        code = server.stop()
        print(server.output)  # shown with a failing test's report
    assert code == 0
    assert embedded_db.project_server(env["VAR_DIR"]).pid() is None


def test_start_up_ends_with_one_block_whose_password_logs_in(served):
    output = served.output
    block = output[output.index("-" * 78):]

    assert output.count("Stop with Ctrl-C") == 1
    # Last of start-up: after the web server's and the worker's own start-up lines, not scrolled away.
    assert output.index("Starting development server") < output.index(block) and output.index(" ready.") < output.index(block)
    assert f"Scheduler running at {served.base}/" in block
    password = re.search(r"Log in as admin with password (\S+)", block).group(1)
    assert "database: PostgreSQL created and started" in output
    answer = Client().post(f"{served.base}/api/v1/auth/login/", json={"username": "admin", "password": password}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["access"]


def png_with_gps_free_pixels():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def authorize_on_the_mock(mock, url, username):
    """What the user's browser does on mastodon-mock's authorize page: pick the account, be redirected."""
    page = requests.get(url, timeout=10)
    assert page.status_code == 200
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    answer = requests.post(f"{mock.base_url}/oauth/authorize", data={**fields, "username": username}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    return answer.headers["Location"]


def wait_for(predicate, *, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"{what} within {timeout}s")


class Client:
    """HTTP to make run's server that rides out runserver restarting when a source file changes: a new
    connection per request (runserver drops kept-alive ones; Django's dev server closes a connection
    whose request said `Connection: close` without saying so), a refused connection tried again
    (nothing was sent, so any method), and a GET cut off tried again."""

    RETRY = Retry(total=None, connect=30, read=3, status=0, other=0, backoff_factor=0.2, backoff_max=2)

    def __init__(self):
        self.headers = {}

    def request(self, method, url, **kwargs):
        with requests.Session() as http:
            http.mount("http://", HTTPAdapter(max_retries=self.RETRY))
            return http.request(method, url, headers=self.headers, **kwargs)

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url, **kwargs):
        return self.request("POST", url, **kwargs)


def test_a_newcomer_registers_connects_mastodon_uploads_and_sees_the_post_published(served, mastodon_mock):
    api = Client()
    b = f"{served.base}/api/v1"
    username, password = f"newcomer{secrets.token_hex(3)}", secrets.token_urlsafe(16)

    registered = api.post(f"{b}/auth/register/", json={"username": username, "email": f"{username}@example.com", "password": password}, timeout=30)
    assert registered.status_code == 201, registered.text
    login = api.post(f"{b}/auth/login/", json={"username": username, "password": password}, timeout=30)
    assert login.status_code == 200, login.text
    api.headers["Authorization"] = f"Bearer {login.json()['access']}"

    # Connect: our server registers an app on the mock and answers its authorize URL; the browser
    # authorizes and is sent to our callback, which hands the API flow a one-time completion token.
    remote = mastodon_mock.new_user()
    connect = api.post(f"{b}/accounts/connect/mastodon/", json={"instance_url": mastodon_mock.base_url}, timeout=60)
    assert connect.status_code == 200, connect.text
    callback = authorize_on_the_mock(mastodon_mock, connect.json()["authorization_url"], remote.username)
    assert callback.startswith(f"{served.base}/api/v1/accounts/callback/mastodon/")
    landing = Client().get(callback, allow_redirects=False, timeout=60)
    assert landing.status_code == 302 and landing.headers["Location"].startswith(FRONTEND_URL), landing.text
    outcome = parse_qs(urlsplit(landing.headers["Location"]).query)
    assert outcome["status"] == ["pending"], outcome
    completed = api.post(f"{b}/accounts/connect/complete/", json={"token": outcome["token"][0]}, timeout=30)
    assert completed.status_code == 201, completed.text
    [account] = completed.json()["accounts"]
    assert (account["platform"], account["platform_user_id"]) == ("mastodon", remote.id)

    upload = api.post(
        f"{b}/media/upload/", files={"file": ("red.png", png_with_gps_free_pixels(), "image/png")},
        data={"alt_text": "A red rectangle"}, timeout=60,
    )
    assert upload.status_code == 201, upload.text
    media_id = upload.json()["id"]
    media = wait_for(
        lambda: (m := api.get(f"{b}/media/{media_id}/", timeout=30).json())["status"] != "processing" and m,
        timeout=90, what="the worker did not process the upload",
    )
    assert media["status"] == "ready", media

    created = api.post(f"{b}/posts/", json={"content": "hello from make run", "target_accounts": [account["id"]], "media_ids": [media_id]}, timeout=30)
    assert created.status_code == 201, created.text  # a 500 on make run's SQLite
    post_id = created.json()["id"]
    assert created.json()["status"] == "draft"

    listed = api.get(f"{b}/posts/", timeout=30)
    assert listed.status_code == 200, listed.text
    assert [p["id"] for p in listed.json()["results"]] == [post_id]
    detail = api.get(f"{b}/posts/{post_id}/", timeout=30)
    assert detail.status_code == 200
    assert detail.json()["content"] == "hello from make run"
    assert [m["alt_text"] for m in detail.json()["media"]] == ["A red rectangle"]

    at = (datetime.now(timezone.utc) + timedelta(seconds=5)).replace(microsecond=0)
    scheduled = api.post(f"{b}/posts/{post_id}/schedule/", json={"scheduled_time": at.isoformat()}, timeout=30)
    assert scheduled.status_code == 200, scheduled.text
    assert scheduled.json()["status"] == "scheduled"

    posted = wait_for(
        lambda: (p := api.get(f"{b}/posts/{post_id}/", timeout=30).json())["status"] not in ("scheduled", "publishing") and p,
        timeout=120, what="the post was not published",
    )
    assert posted["status"] == "posted", posted
    [status] = mastodon_mock.statuses_of(remote)
    assert "hello from make run" in status["content"]
    assert [m["description"] for m in status["media_attachments"]] == ["A red rectangle"]
    assert status["id"] == posted["targets"][0]["platform_post_id"]


def test_routine_dispatch_lines_are_not_printed_at_the_default_level(served):
    start = len(served.lines)
    time.sleep(7)  # the dispatcher runs every 2 s: beat sends it, the worker receives and finishes it

    printed = "\n".join(served.lines[start:] + served.lines)
    assert "dispatch-due-targets" not in printed and "dispatch_due_task" not in printed, printed[-3000:]
