"""Export of posts with each target's outcome and latest figures: streamed, filtered, formulas defused."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from analytics.models import PostAnalytics
from social_media.models import Status
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/exports/posts/"


@pytest.fixture
def history(workspace):
    account = ConnectedAccountFactory(workspace=workspace, platform_username="alice")
    posted_at = timezone.now() - timedelta(days=2)
    posted = PostFactory(workspace=workspace, content="=1+1 launch day", status=Status.POSTED, scheduled_time=posted_at, posted_at=posted_at)
    target = PostTargetFactory(post=posted, account=account, status=Status.POSTED, posted_at=posted_at, platform_post_url="https://mastodon.example/@alice/1")
    PostAnalytics.objects.create(target=target, likes=7, reposts=2, impressions=300)
    failed = PostFactory(workspace=workspace, content="@team it broke", status=Status.FAILED, scheduled_time=posted_at + timedelta(hours=1))
    PostTargetFactory(post=failed, account=account, status=Status.FAILED, error_message="-The instance refused it")
    draft = PostFactory(workspace=workspace, content="no targets yet")
    PostFactory(workspace=WorkspaceFactory(), content="someone else's")
    return posted, failed, draft


def body_of(response):
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()


def test_it_streams_every_post_with_outcomes_and_figures_and_defuses_formulas(auth_api, history):
    posted, failed, draft = history
    response = auth_api.get(URL, {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body_of(response))))
    assert [int(r["post_id"]) for r in rows] == [posted.pk, failed.pk, draft.pk]
    first, second, third = rows
    assert first["content"] == "'=1+1 launch day" and first["target_status"] == "posted"
    assert first["url"] == "https://mastodon.example/@alice/1" and (first["likes"], first["reposts"], first["impressions"], first["engagement"]) == ("7", "2", "300", "9")
    assert second["content"] == "'@team it broke" and second["error"] == "'-The instance refused it" and second["likes"] == ""
    assert third["target_id"] == "" and third["post_status"] == "draft"


def test_json_and_filters(auth_api, history):
    posted, failed, _draft = history
    records = json.loads(body_of(auth_api.get(URL, {"format": "json", "status": "failed"})))
    assert [(r["post_id"], r["target_status"], r["content"]) for r in records] == [(failed.pk, "failed", "@team it broke")]
    day = posted.posted_at.date().isoformat()
    records = json.loads(body_of(auth_api.get(URL, {"format": "json", "from": day, "to": day})))
    assert {r["post_id"] for r in records} == {posted.pk, failed.pk} - ({failed.pk} if failed.scheduled_time.date() != posted.posted_at.date() else set())


def test_bad_filters_are_400_field_errors(auth_api, history):
    response = auth_api.get(URL, {"format": "xlsx", "from": "yesterday", "status": "lost"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"format", "from", "status"}


def test_any_member_may_export_and_only_their_workspace(viewer_api, history):
    rows = list(csv.DictReader(io.StringIO(body_of(viewer_api.get(URL)))))
    assert "someone else's" not in {r["content"] for r in rows} and len(rows) == 3


def test_a_stranger_sees_an_empty_export_of_their_own_workspace(api, history):
    from rest_framework_simplejwt.tokens import RefreshToken

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(UserFactory()).access_token}")
    rows = list(csv.DictReader(io.StringIO(body_of(api.get(URL)))))
    assert rows == []
    assert api.get(URL, HTTP_X_WORKSPACE=str(history[0].workspace_id)).status_code == 404
