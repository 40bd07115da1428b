"""The web app's Import page: check a file (the dry run's table with each row's errors), import it, follow the
job; the export link; roles."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from social_media.models import Post, Status
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from transfer.models import ImportJob

from .conftest import csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def test_check_then_import(signed_in, mastodon):
    at = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    data = csv_bytes([{"text": "Good", "accounts": "@alice", "time": at.isoformat()}, {"text": "Bad", "accounts": "@nobody", "time": ""}])
    page = signed_in.post(reverse("webapp:import"), {"action": "check", "file": SimpleUploadedFile("posts.csv", data, "text/csv")})
    assert page.status_code == 200
    html = page.content.decode()
    assert "2 rows, 1 with errors" in html and "No account @nobody in this workspace." in html and "<strong>accounts</strong>" in html
    assert not Post.objects.exists()
    done = signed_in.post(reverse("webapp:import"), {"action": "import", "mode": "row"})
    job = ImportJob.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("webapp:import_job", kwargs={"job_id": job.pk})
    assert job.status == "done" and job.rows_failed == 1
    assert Post.objects.get().status == Status.SCHEDULED
    shown = signed_in.get(done["Location"]).content.decode()
    assert f"post {job.results[0]['post_id']}" in shown


def test_a_file_that_cannot_be_read_is_an_error_next_to_the_field(signed_in, mastodon):
    page = signed_in.post(reverse("webapp:import"), {"action": "check", "file": SimpleUploadedFile("posts.csv", "text\ncafé\n".encode("latin-1"))})
    assert page.status_code == 400 and "is not UTF-8 text" in page.content.decode()


def test_import_without_a_checked_file_asks_for_one(signed_in, mastodon):
    page = signed_in.post(reverse("webapp:import"), {"action": "import", "mode": "file"})
    assert page.status_code == 400 and "Check a file first" in page.content.decode() and not ImportJob.objects.exists()


def test_a_viewer_exports_but_cannot_import(client, workspace, mastodon):
    viewer = UserFactory()
    MembershipFactory(user=viewer, workspace=workspace, role=Membership.Role.VIEWER)
    client.login(username=viewer.username, password=PASSWORD)
    session = client.session
    session["workspace_id"] = workspace.pk
    session.save()
    page = client.get(reverse("webapp:import"))
    assert page.status_code == 200 and "Viewers cannot import posts." in page.content.decode()
    assert client.post(reverse("webapp:import"), {"action": "check", "file": SimpleUploadedFile("a.csv", b"text\nhi\n")}).status_code == 403
    export = client.get(reverse("webapp:export_posts"), {"format": "csv"})
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")


def test_another_workspaces_job_is_a_404(signed_in, mastodon):
    other = UserFactory()
    job = ImportJob.objects.create(workspace=other.personal_workspace, created_by=other, filename="x.csv")
    assert signed_in.get(reverse("webapp:import_job", kwargs={"job_id": job.pk})).status_code == 404


def test_a_bad_export_filter_is_shown_on_the_page(signed_in):
    page = signed_in.get(reverse("webapp:export_posts"), {"from": "soon"})
    assert page.status_code == 400 and "from:" in page.content.decode()
