"""Idempotency-Key on creates: a retry answers the first result and creates nothing new."""

import threading

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from developer.models import IdempotencyRecord
from media.models import MediaFile
from social_media.models import Post
from tests.factories import ConnectedAccountFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_retried_create_answers_the_first_post_and_creates_one(auth_api):
    first = auth_api.post("/api/v1/posts/", {"content": "hello"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = auth_api.post("/api/v1/posts/", {"content": "hello"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Post.objects.count() == 1


def test_the_same_key_with_another_body_is_a_409(auth_api):
    auth_api.post("/api/v1/posts/", {"content": "hello"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    other = auth_api.post("/api/v1/posts/", {"content": "something else"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert Post.objects.count() == 1


def test_without_a_key_each_request_creates(auth_api):
    auth_api.post("/api/v1/posts/", {"content": "hello"}, format="json")
    auth_api.post("/api/v1/posts/", {"content": "hello"}, format="json")
    assert Post.objects.count() == 2


def test_keys_are_per_workspace(auth_api):
    other = UserFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(other).access_token}")
    assert auth_api.post("/api/v1/posts/", {"content": "a"}, format="json", HTTP_IDEMPOTENCY_KEY="shared").status_code == 201
    assert client.post("/api/v1/posts/", {"content": "b"}, format="json", HTTP_IDEMPOTENCY_KEY="shared").status_code == 201
    assert Post.objects.count() == 2


def test_a_refused_request_is_refused_the_same_way_on_retry(auth_api):
    first = auth_api.post("/api/v1/posts/", {"content": ""}, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    again = auth_api.post("/api/v1/posts/", {"content": ""}, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"


def test_a_key_that_is_too_long_or_blank_is_a_field_error(auth_api):
    for key in ("x" * 256, "   "):
        response = auth_api.post("/api/v1/posts/", {"content": "a"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert response.status_code == 400 and "Idempotency-Key" in response.json()["error"]["fields"]
    assert not Post.objects.exists()


def test_schedule_and_publish_now_replay(auth_api, workspace):
    account = ConnectedAccountFactory(workspace=workspace)
    post = auth_api.post("/api/v1/posts/", {"content": "hi", "target_accounts": [account.pk]}, format="json").json()
    body = {"scheduled_time": "2031-01-01T09:00:00Z"}
    first = auth_api.post(f"/api/v1/posts/{post['id']}/schedule/", body, format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    again = auth_api.post(f"/api/v1/posts/{post['id']}/schedule/", body, format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    assert first.status_code == 200 and again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    moved = auth_api.post(f"/api/v1/posts/{post['id']}/schedule/", {"scheduled_time": "2031-02-01T09:00:00Z"}, format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    assert moved.status_code == 409


def test_a_retried_upload_answers_the_first(auth_api, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from io import BytesIO
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = BytesIO()
    Image.new("RGB", (32, 32), "red").save(buffer, "PNG")

    def upload(alt):
        return auth_api.post("/api/v1/media/upload/", {"file": SimpleUploadedFile("a.png", buffer.getvalue(), "image/png"), "alt_text": alt}, format="multipart", HTTP_IDEMPOTENCY_KEY="u-1")

    first, again = upload("red"), upload("red")
    assert first.status_code == 201 and again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert upload("blue").status_code == 409
    assert MediaFile.objects.get().alt_text == "red"


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_key_at_the_same_moment_create_one_post():
    user = UserFactory()
    token = str(RefreshToken.for_user(user).access_token)
    barrier, answers = threading.Barrier(4), []

    def send():
        from django.db import connection

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        barrier.wait()
        try:
            answers.append(client.post("/api/v1/posts/", {"content": "race"}, format="json", HTTP_IDEMPOTENCY_KEY="race-1"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(a.status_code for a in answers) == [201] * 4
    assert len({a.json()["id"] for a in answers}) == 1
    assert Post.objects.count() == 1 and IdempotencyRecord.objects.count() == 1
