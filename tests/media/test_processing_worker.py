"""The upload answers at once with status `processing`; a real Celery worker on the media queue makes the
thumbnail and marks the media ready (or failed, with the reason)."""

import pytest

from media.models import MediaFile
from tests.engine.processes import celery_processes, wait_until

from .conftest import image_bytes

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_a_worker_on_the_media_queue_processes_an_upload(auth_api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    env_media_root = str(settings.MEDIA_ROOT)
    from tests.engine.processes import worker_env

    with celery_processes(beat=False, queues="media", concurrency=1, env=worker_env(MEDIA_ROOT=env_media_root)):
        response = auth_api.post("/api/v1/media/upload/", {"file": _png()}, format="multipart")
        assert response.status_code == 201, response.content
        assert response.json()["status"] == "processing"
        media_id = response.json()["id"]
        wait_until(lambda: MediaFile.objects.get(pk=media_id).status != "processing", timeout=60)

    media = MediaFile.objects.get(pk=media_id)
    assert media.status == "ready", media.status_reason
    assert media.thumbnail.name.endswith(".jpg") and media.thumbnail.storage.exists(media.thumbnail.name)


def _png():
    import io

    buf = io.BytesIO(image_bytes("PNG", (80, 60)))
    buf.name = "a.png"
    return buf
