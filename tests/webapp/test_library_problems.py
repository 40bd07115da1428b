"""Media library (upload several files, alt text, thumbnails only for members), Problems (retry,
resolve as published / not published, reconnect list) and Analytics (charts' figures)."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from analytics.models import PostAnalytics
from media.models import MediaFile
from social_media.models import Status
from social_media.services.accounts import DISCONNECTED_MESSAGE
from tests.factories import ConnectedAccountFactory, MediaFileFactory, PostFactory, PostTargetFactory

pytestmark = pytest.mark.django_db


def png(name="a.png", size=(20, 10)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_it_uploads_several_files_at_once_with_their_alt_text(editor, team_workspace):
    # Two different images: identical bytes would be one stored file (SHA-256 dedup).
    response = editor.post(reverse("webapp:library_upload"), {"file": [png("one.png"), png("two.png", size=(30, 10))], "alt_text": "Red"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["ok"] is True
    assert sorted(MediaFile.objects.filter(workspace=team_workspace).values_list("original_filename", "alt_text")) == [("one.png", "Red"), ("two.png", "Red")]


def test_a_file_that_is_not_media_is_reported_by_name_and_the_rest_is_kept(editor, team_workspace):
    response = editor.post(reverse("webapp:library_upload"), {"file": [png("good.png"), SimpleUploadedFile("bad.png", b"plain text")]}, HTTP_ACCEPT="application/json")
    body = response.json()
    assert [u["name"] for u in body["uploaded"]] == ["good.png"]
    assert body["errors"] and body["errors"][0].startswith("bad.png: ")



def test_a_file_past_the_limit_is_refused_as_it_arrives_and_the_others_are_kept(editor, team_workspace, settings, monkeypatch):
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    settings.MEDIA_MAX_UPLOAD_BYTES = 20_000
    stored = []  # what reached the storing handler, in bytes per file
    original = TemporaryFileUploadHandler.receive_data_chunk
    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", lambda self, data, start: stored.append(len(data)) or original(self, data, start))
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every file through the temporary-file handler
    big = SimpleUploadedFile("big.png", b"x" * 200_000, content_type="image/png")

    response = editor.post(reverse("webapp:library_upload"), {"file": [png("small.png"), big]}, HTTP_ACCEPT="application/json")

    body = response.json()
    assert response.status_code == 200 and [u["name"] for u in body["uploaded"]] == ["small.png"]
    assert body["errors"] == ["big.png: The file is larger than the 19.5 KB limit for uploads."]
    assert sum(stored) < 200_000 - 64 * 1024  # the big file's bytes stopped at the limit, not stored whole
    assert list(MediaFile.objects.filter(workspace=team_workspace).values_list("original_filename", flat=True)) == ["small.png"]


def test_the_upload_still_checks_its_csrf_token(as_role, team_workspace):
    client = as_role("editor")
    client.handler.enforce_csrf_checks = True

    response = client.post(reverse("webapp:library_upload"), {"file": [png()]})

    assert response.status_code == 403
    assert not MediaFile.objects.filter(workspace=team_workspace).exists()

def test_an_upload_without_files_says_so(editor):
    response = editor.post(reverse("webapp:library_upload"), {}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and response.json()["errors"] == ["Choose at least one file."]


def test_alt_text_is_edited_and_too_long_text_is_refused_next_to_it(editor, team_workspace):
    media = MediaFileFactory(workspace=team_workspace)
    assert editor.post(reverse("webapp:media_edit", kwargs={"media_id": media.pk}), {"alt_text": "A cat"}).status_code == 302
    media.refresh_from_db()
    assert media.alt_text == "A cat"
    response = editor.post(reverse("webapp:media_edit", kwargs={"media_id": media.pk}), {"alt_text": "x" * 2001})
    assert response.status_code == 400 and 'id="id_alt_text_error">' in response.content.decode()


def test_files_are_served_to_members_only(editor, team_workspace, other_workspace):
    media = MediaFileFactory(workspace=team_workspace)
    response = editor.get(reverse("webapp:media_file", kwargs={"media_id": media.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    foreign = MediaFileFactory(workspace=other_workspace["workspace"])
    assert editor.get(reverse("webapp:media_file", kwargs={"media_id": foreign.pk})).status_code == 404
    assert editor.get(reverse("webapp:media_edit", kwargs={"media_id": foreign.pk})).status_code == 404



def test_a_file_whose_stored_bytes_are_gone_is_a_404_not_a_500(editor, team_workspace):
    media = MediaFileFactory(workspace=team_workspace)
    media.file.storage.delete(media.file.name)

    response = editor.get(reverse("webapp:media_file", kwargs={"media_id": media.pk}))

    assert response.status_code == 404

def test_viewers_cannot_upload_or_edit(viewer, team_workspace):
    media = MediaFileFactory(workspace=team_workspace)
    assert viewer.post(reverse("webapp:library_upload"), {"file": [png()]}).status_code == 403
    assert viewer.post(reverse("webapp:media_edit", kwargs={"media_id": media.pk}), {"alt_text": "x"}).status_code == 403
    assert "Viewers cannot upload." in viewer.get(reverse("webapp:library")).content.decode()


# --- Problems -------------------------------------------------------------------------------
def failed_target(workspace, account, status=Status.FAILED, **fields):
    post = PostFactory(workspace=workspace, status=status)
    return PostTargetFactory(post=post, account=account, status=status, **fields)


def test_problems_lists_failed_and_unconfirmed_targets_and_accounts_to_reconnect(editor, team_workspace, mastodon):
    failed_target(team_workspace, mastodon, error_message="The instance answered 503.")
    failed_target(team_workspace, mastodon, status=Status.UNCONFIRMED)
    ConnectedAccountFactory(workspace=team_workspace, platform_username="lost", needs_reconnect=True, last_error="Token revoked.")
    orphan = failed_target(team_workspace, mastodon, error_message=DISCONNECTED_MESSAGE)
    html = editor.get(reverse("webapp:problems")).content.decode()
    assert "The instance answered 503." in html and "Unconfirmed" in html
    assert "@lost — needs reconnect: Token revoked." in html
    assert f'href="/posts/{orphan.post_id}/"' in html


def test_retry_sends_a_failed_target_again(editor, team_workspace, mastodon):
    target = failed_target(team_workspace, mastodon, error_message="boom")
    response = editor.post(reverse("webapp:target_retry", kwargs={"target_id": target.pk}), {"next": reverse("webapp:problems")})
    assert response["Location"] == reverse("webapp:problems")
    target.refresh_from_db()
    assert target.status == Status.SCHEDULED and target.error_message == ""


def test_retry_on_a_disconnected_account_says_to_reconnect(editor, team_workspace):
    account = ConnectedAccountFactory(workspace=team_workspace, is_active=False)
    target = failed_target(team_workspace, account)
    response = editor.post(reverse("webapp:target_retry", kwargs={"target_id": target.pk}), follow=True)
    assert "The account is disconnected; reconnect it before retrying." in response.content.decode()
    target.refresh_from_db()
    assert target.status == Status.FAILED


def test_an_admin_resolves_unconfirmed_targets(as_role, team_workspace, mastodon):
    client = as_role("admin")
    seen = failed_target(team_workspace, mastodon, status=Status.UNCONFIRMED)
    missing = failed_target(team_workspace, mastodon, status=Status.UNCONFIRMED)
    client.post(reverse("webapp:target_resolve", kwargs={"target_id": seen.pk, "outcome": "published"}), {"platform_post_url": "https://mastodon.example/@alice/9"})
    client.post(reverse("webapp:target_resolve", kwargs={"target_id": missing.pk, "outcome": "not-published"}))
    seen.refresh_from_db(), missing.refresh_from_db()
    assert seen.status == Status.POSTED and seen.platform_post_url == "https://mastodon.example/@alice/9"
    assert missing.status == Status.FAILED


def test_an_editor_cannot_resolve_and_a_bad_link_is_refused(as_role, team_workspace, mastodon):
    target = failed_target(team_workspace, mastodon, status=Status.UNCONFIRMED)
    assert as_role("editor").post(reverse("webapp:target_resolve", kwargs={"target_id": target.pk, "outcome": "published"})).status_code == 403
    response = as_role("admin").post(reverse("webapp:target_resolve", kwargs={"target_id": target.pk, "outcome": "published"}), {"platform_post_url": "javascript:alert(1)"}, follow=True)
    assert "must start with https://" in response.content.decode()
    target.refresh_from_db()
    assert target.status == Status.UNCONFIRMED


def test_a_link_longer_than_the_column_is_refused_not_a_500(as_role, team_workspace, mastodon):
    target = failed_target(team_workspace, mastodon, status=Status.UNCONFIRMED)
    url = "https://mastodon.example/@alice/" + "9" * 500
    response = as_role("admin").post(reverse("webapp:target_resolve", kwargs={"target_id": target.pk, "outcome": "published"}), {"platform_post_url": url}, follow=True)
    assert response.status_code == 200
    assert "at most 500 characters" in response.content.decode()
    target.refresh_from_db()
    assert target.status == Status.UNCONFIRMED and target.platform_post_url == ""


def test_viewers_cannot_retry_and_other_workspaces_answer_404(viewer, editor, team_workspace, mastodon, other_workspace):
    target = failed_target(team_workspace, mastodon)
    assert viewer.post(reverse("webapp:target_retry", kwargs={"target_id": target.pk})).status_code == 403
    assert editor.post(reverse("webapp:target_retry", kwargs={"target_id": other_workspace["target"].pk})).status_code == 404


# --- Analytics ------------------------------------------------------------------------------
def test_analytics_charts_engagement_per_day_network_and_top_posts(editor, team_workspace, mastodon):
    posted_at = timezone.now() - timedelta(days=1)
    post = PostFactory(workspace=team_workspace, status=Status.POSTED, posted_at=posted_at, content="Our best post")
    target = PostTargetFactory(post=post, account=mastodon, status=Status.POSTED, posted_at=posted_at)
    PostAnalytics.objects.create(target=target, likes=7, reposts=2, replies=1)
    response = editor.get(reverse("webapp:analytics"), {"days": "7"})
    chart = response.context["chart_data"]
    assert len(chart["days"]) == 7 and sum(chart["likes"]) == 7 and sum(chart["reposts"]) == 2
    assert chart["likes"][chart["days"].index(timezone.localtime(posted_at).date().isoformat())] == 7
    assert chart["platformPosted"][chart["platforms"].index("Mastodon")] == 1
    assert "Our best post</a> — 10 interactions" in response.content.decode()
    assert 'id="chart-data"' in response.content.decode()


# --- Lists: one page costs the same queries whatever the rows -----------------------------
@pytest.mark.parametrize("name", ["home", "problems", "library", "accounts", "team"])
def test_lists_take_the_same_queries_for_few_or_many_rows(editor, team_workspace, mastodon, member, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n):
        for _ in range(n):
            account = ConnectedAccountFactory(workspace=team_workspace)
            post = PostFactory(workspace=team_workspace, status=Status.FAILED)
            PostTargetFactory(post=post, account=account, status=Status.FAILED)
            PostTargetFactory(post=post, account=mastodon, status=Status.FAILED)
            MediaFileFactory(workspace=team_workspace)
            member("viewer")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert editor.get(reverse(f"webapp:{name}")).status_code == 200
        return len(queries)

    add(2)
    few = count()
    add(18)
    assert count() == few


def test_after_an_action_it_returns_only_to_a_page_of_this_site(editor, team_workspace, mastodon):
    for unsafe in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
        target = failed_target(team_workspace, mastodon)
        response = editor.post(reverse("webapp:target_retry", kwargs={"target_id": target.pk}), {"next": unsafe})
        assert response["Location"] == reverse("webapp:post_detail", kwargs={"post_id": target.post_id})


def test_a_forbidden_action_answers_a_page_that_says_why(viewer, team_workspace, mastodon):
    target = failed_target(team_workspace, mastodon)
    response = viewer.post(reverse("webapp:target_retry", kwargs={"target_id": target.pk}))
    assert response.status_code == 403
    assert "Your role (Viewer) cannot do this; ask a workspace editor or above." in response.content.decode()
