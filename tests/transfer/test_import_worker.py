"""A queued import is run by a real Celery worker process (the default queue) and its progress read back
through the API, with the posts it created."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from social_media.models import Post, Status
from tests.engine.processes import celery_processes, wait_until
from transfer.models import ImportJob

from .conftest import csv_bytes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_a_large_file_is_imported_by_the_worker(auth_api, mastodon):
    at = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    rows = [{"text": f"Post {n}", "accounts": "@alice", "time": (at + timedelta(minutes=n)).isoformat()} for n in range(40)]
    rows[5]["accounts"] = "@nobody"
    with celery_processes(beat=False, queues="default", concurrency=2):
        response = auth_api.post("/api/v1/imports/", {"file": SimpleUploadedFile("big.csv", csv_bytes(rows)), "mode": "row"}, format="multipart")
        assert response.status_code == 202 and response.json()["status"] == "queued"
        job_id = response.json()["id"]
        wait_until(lambda: ImportJob.objects.get(pk=job_id).status == "done", timeout=120, interval=0.5)
    job = auth_api.get(f"/api/v1/imports/{job_id}/").json()
    assert (job["rows_total"], job["rows_done"], job["rows_failed"]) == (40, 40, 1)
    assert list(job["results"][5]["errors"]) == ["accounts"]
    assert Post.objects.filter(workspace_id=mastodon.workspace_id, status=Status.SCHEDULED).count() == 39
