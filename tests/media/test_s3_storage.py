"""The S3 path (django-storages S3Storage, private objects, presigned URLs) against a local S3 server:
moto's ThreadedMotoServer on 127.0.0.1."""

import io

import boto3
import pytest
import requests
from PIL import Image

from media.models import MediaFile, MediaRendition
from media.public import signed_url
from social_media.models import PostMedia
from social_media.services.validation import media_items_for
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory

from .conftest import image_bytes, photo_jpeg
from .test_privacy import exif_with_gps

BUCKET = "scheduler-media-test"


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_server, settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.AWS_STORAGE_BUCKET_NAME = BUCKET
    settings.AWS_S3_ENDPOINT_URL = s3_server
    settings.AWS_S3_REGION_NAME = "us-east-1"
    settings.AWS_DEFAULT_ACL = None
    settings.AWS_QUERYSTRING_AUTH = True
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage"}}
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client):
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


@pytest.mark.django_db
class TestS3:
    def test_an_upload_is_stored_stripped_and_private_in_the_bucket(self, auth_api, s3, s3_server):
        buf = io.BytesIO()
        Image.new("RGB", (40, 30), (200, 10, 10)).save(buf, "JPEG", exif=exif_with_gps())
        response = auth_api.post("/api/v1/media/upload/", {"file": io.BytesIO(buf.getvalue())}, format="multipart")

        assert response.status_code == 201, response.content
        media = MediaFile.objects.get(pk=response.json()["id"])
        assert keys(s3) == [media.file.name]
        stored = s3.get_object(Bucket=BUCKET, Key=media.file.name)["Body"].read()
        assert b"GPS" not in stored and b"Alice" not in stored
        assert requests.get(f"{s3_server}/{BUCKET}/{media.file.name}", timeout=10).status_code == 403  # private
        url = response.json()["url"]
        assert url.startswith(f"{s3_server}/{BUCKET}/") and "Signature" in url
        fetched = requests.get(url, timeout=10)
        assert fetched.status_code == 200 and fetched.content == stored

    def test_processing_and_renditions_work_on_s3(self, workspace, s3, s3_server):
        from media.services import media_process

        from .conftest import stored_media

        media = stored_media(workspace, "photo.jpg", photo_jpeg())
        post = PostFactory(workspace=workspace)
        PostMedia.objects.create(post=post, media=media)
        target = PostTargetFactory(post=post, account=ConnectedAccountFactory(workspace=workspace, platform="bluesky"))

        [item] = media_items_for(post, target)
        media_process(media_id=media.pk)

        media.refresh_from_db()
        rendition = MediaRendition.objects.get(media=media)
        assert media.status == "ready" and media.thumbnail.name in keys(s3) and rendition.file.name in keys(s3)
        presigned = item.public_url()
        fetched = requests.get(presigned, timeout=10)
        assert fetched.status_code == 200
        assert fetched.headers["Content-Type"] == "image/jpeg"
        assert len(fetched.content) == item.file_size <= 1_000_000

    def test_a_presigned_url_names_its_expiry(self, workspace, s3, settings):
        from .conftest import stored_media

        media = stored_media(workspace, "a.png", image_bytes("PNG"))

        url = signed_url(media.file.name, "image/png", expires_in=120)

        assert "X-Amz-Expires=120" in url or "Expires=" in url

    def test_delete_removes_every_object(self, auth_api, workspace, s3, django_capture_on_commit_callbacks):
        from .conftest import stored_media

        media = stored_media(workspace, "a.png", image_bytes("PNG"))
        assert len(keys(s3)) == 2  # the file and its thumbnail

        with django_capture_on_commit_callbacks(execute=True):
            assert auth_api.delete(f"/api/v1/media/{media.pk}/").status_code == 204

        assert keys(s3) == []
