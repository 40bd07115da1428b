"""In Chromium: an editor checks a CSV on the Import page, sees the bad row's error by column, imports the
good rows and follows the job to the new post. Fails on any console error, axe violation or horizontal
scrolling at phone width (tests/webapp/browser/conftest.py)."""

import shutil
from datetime import timedelta

import pytest
from django.utils import timezone

from social_media.models import Post, Status
from tests.factories import ConnectedAccountFactory
from tests.webapp.browser.conftest import *  # noqa: F401,F403 - the browser and page fixtures
from tests.webapp.browser.conftest import CHROMEDRIVER, CHROMIUM
from tests.webapp.browser.test_composer_browser import enter

from .conftest import csv_bytes

pytestmark = pytest.mark.django_db(transaction=True)
if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):  # as tests/webapp/browser/conftest.py skips
    pytest.skip("chromium and chromium-driver are not installed", allow_module_level=True)


@pytest.fixture
def world(db):
    from accounts.models import Membership
    from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
    from tests.webapp.browser.test_composer_browser import WORKSPACE

    user = UserFactory(username="newcomer")
    workspace = WorkspaceFactory(name=WORKSPACE)
    MembershipFactory(user=user, workspace=workspace, role=Membership.Role.OWNER)
    ConnectedAccountFactory(workspace=workspace, platform="mastodon", platform_username="bakery")
    return {"user": user, "workspace": workspace}


def test_an_editor_checks_a_file_then_imports_its_good_rows(page, world, tmp_path):
    at = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    path = tmp_path / "posts.csv"
    path.write_bytes(csv_bytes([{"text": "Fresh bread", "accounts": "@bakery", "time": at.isoformat()}, {"text": "Cakes", "accounts": "@nobody", "time": ""}]))
    enter(page, world)
    page.open("/import/")
    page.find("#id_file").send_keys(str(path))
    page.find("button[value=check]").click()
    page.wait_for("table.import-rows")
    assert "2 rows, 1 with errors" in page.find("main").text
    assert "accounts: No account @nobody in this workspace." in page.find("table.import-rows").text
    page.check("import-dry-run")
    page.find("input[name=mode][value=row]").click()
    page.find("button[value=import]").click()
    page.wait_for("#job")
    post = Post.objects.get()
    assert post.status == Status.SCHEDULED and post.content == "Fresh bread"
    assert f"post {post.pk}" in page.find("#job").text
    page.check("import-job")
