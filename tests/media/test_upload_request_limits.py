"""No stranger fills the disk: an upload is read only after sign-in and the workspace role are checked,
and no request body passes MAX_REQUEST_BYTES on any path (web and API).

The anonymous case runs against a real HTTP server (pytest-django's live_server) over a raw socket, the
way the audit sent it: headers announcing 300 MB, then the body streamed. The answer must come back
while the body is still being sent, and nothing may land in FILE_UPLOAD_TEMP_DIR."""

import socket
import threading
import time
from urllib.parse import urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Membership
from media.models import MediaFile
from tests.accounts.conftest import bearer_client
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

ANNOUNCED = 300 * 1024 * 1024
SENT = 24 * 1024 * 1024  # over FILE_UPLOAD_MAX_MEMORY_SIZE (10 MB): a parsed body would go to a temp file
BOUNDARY = "----audit"


CSRF_COOKIE = "csrftoken=" + "a" * 32  # any well-formed value: Django then looks for the token in the form


def stream_upload(base_url, path, cookie=""):
    """POST a multipart body announced as 300 MB; send SENT bytes of it from another thread while this
    one waits for the status line. Returns (status line, headers text, seconds until the answer).
    It carries a CSRF cookie and no token header, as the audit's client did: the CSRF check then reads
    the form (the whole body) to look for the token, unless the view answers before that."""
    cookie = "; ".join(c for c in (CSRF_COOKIE, cookie) if c)
    url = urlparse(base_url)
    sock = socket.create_connection((url.hostname, url.port), timeout=15)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {url.hostname}:{url.port}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {ANNOUNCED}\r\n"
        + f"Cookie: {cookie}\r\n\r\n"
    ).encode()
    part = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
    started = time.monotonic()
    sock.sendall(head + part)

    def send_body():
        chunk = b"\0" * 65536
        try:
            for _ in range(SENT // len(chunk)):
                sock.sendall(chunk)
        except OSError:
            pass  # the server answered and closed: what we want

    sender = threading.Thread(target=send_body, daemon=True)
    sender.start()
    answer = b""
    try:
        while b"\r\n\r\n" not in answer:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    except socket.timeout:
        pass
    elapsed = time.monotonic() - started
    sock.close()
    sender.join(10)
    status, _, headers = answer.partition(b"\r\n")
    return status.decode(), headers.decode(errors="replace"), elapsed


@pytest.fixture
def temp_dir(settings, tmp_path):
    path = tmp_path / "upload-tmp"
    path.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(path)
    return path


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/library/upload/", "/compose/"])
def test_an_anonymous_300_mb_upload_is_answered_before_its_body_is_read_and_writes_nothing(live_server, temp_dir, path):
    status, headers, elapsed = stream_upload(live_server.url, path)

    assert status.split()[1:2] == ["302"], (status, elapsed)
    assert f"Location: /login/?next={path}" in headers
    assert elapsed < 10
    assert list(temp_dir.iterdir()) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/login/", "/no-such-page/"])
def test_a_300_mb_body_to_a_path_that_takes_no_files_is_refused_413_unread(live_server, temp_dir, path):
    """The CSRF check of a login form, or of a 404 page, would read the whole body to find the token."""
    status, _headers, elapsed = stream_upload(live_server.url, path)

    assert status.split()[1:2] == ["413"], (status, elapsed)
    assert list(temp_dir.iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_a_300_mb_body_to_the_admin_from_a_stranger_is_sent_to_the_login_unread(live_server, temp_dir):
    status, headers, elapsed = stream_upload(live_server.url, "/admin/media/mediafile/add/")

    assert status.split()[1:2] == ["302"], (status, elapsed)
    assert "Location: /admin/login/?next=/admin/media/mediafile/add/" in headers
    assert list(temp_dir.iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_a_viewers_upload_is_refused_before_its_body_is_read(live_server, temp_dir):
    workspace = WorkspaceFactory()
    viewer = MembershipFactory(workspace=workspace, role=Membership.Role.VIEWER).user
    browser = Client()
    browser.force_login(viewer)
    session = browser.session
    session["workspace_id"] = workspace.pk
    session.save()

    status, _headers, elapsed = stream_upload(live_server.url, "/library/upload/", cookie=f"sessionid={session.session_key}")

    assert status.split()[1:2] == ["403"], (status, elapsed)
    assert list(temp_dir.iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_an_anonymous_api_upload_is_answered_401_before_its_body_is_read(live_server, temp_dir):
    status, _headers, elapsed = stream_upload(live_server.url, "/api/v1/media/upload/")

    assert status.split()[1:2] == ["401"], (status, elapsed)
    assert list(temp_dir.iterdir()) == []


@pytest.fixture
def editor(db):
    workspace = WorkspaceFactory()
    return MembershipFactory(workspace=workspace, role=Membership.Role.EDITOR).user, workspace


def test_an_upload_over_the_request_cap_is_refused_with_413_on_the_web(editor, settings, temp_dir):
    settings.MAX_REQUEST_BYTES = 1024 * 1024
    user, workspace = editor
    browser = Client(enforce_csrf_checks=False)
    browser.force_login(user)
    session = browser.session
    session["workspace_id"] = workspace.pk
    session.save()
    big = SimpleUploadedFile("big.png", b"\0" * (2 * 1024 * 1024), content_type="image/png")

    answer = browser.post("/library/upload/", {"file": big}, HTTP_ACCEPT="application/json")

    assert answer.status_code == 413
    assert answer.json() == {"ok": False, "uploaded": [], "errors": ["The request is larger than this server accepts: at most 1.0 MB per upload."]}
    page = browser.post("/library/upload/", {"file": SimpleUploadedFile("big.png", b"\0" * (2 * 1024 * 1024))})
    assert page.status_code == 413 and "at most 1.0 MB per upload" in page.content.decode()
    assert MediaFile.objects.count() == 0 and list(temp_dir.iterdir()) == []


def test_an_upload_over_the_request_cap_is_refused_with_413_on_the_api(editor, settings, temp_dir):
    settings.MAX_REQUEST_BYTES = 1024 * 1024
    user, workspace = editor
    api = bearer_client(user, HTTP_X_WORKSPACE=str(workspace.pk))
    big = SimpleUploadedFile("big.png", b"\0" * (2 * 1024 * 1024), content_type="image/png")

    answer = api.post("/api/v1/media/upload/", {"file": big}, format="multipart")

    assert answer.status_code == 413
    error = answer.json()["error"]
    assert error["code"] == "request_too_large" and "at most 1.0 MB" in error["message"]
    assert MediaFile.objects.count() == 0

