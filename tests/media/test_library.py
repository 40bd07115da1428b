import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from media.models import MediaFile
from social_media.models import PostMedia, Status
from tests.factories import MediaFileFactory, MembershipFactory, PostFactory, WorkspaceFactory

from .conftest import stored_files

LIST_URL = "/api/v1/media/"


def detail_url(media):
    return f"/api/v1/media/{media.pk}/"


@pytest.mark.django_db
class TestMediaList:
    def test_it_lists_only_the_workspaces_media_newest_first(self, auth_api, workspace, media_root):
        older = MediaFileFactory(workspace=workspace, original_filename="older.png")
        newer = MediaFileFactory(workspace=workspace, original_filename="newer.png")
        MediaFileFactory(original_filename="elsewhere.png")

        response = auth_api.get(LIST_URL)

        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 2
        assert [item["id"] for item in body["results"]] == [newer.pk, older.pk]
        assert set(body["results"][0]) == {
            "id", "media_type", "mime_type", "original_filename", "file_size", "width", "height", "duration",
            "alt_text", "url", "thumbnail_url", "status", "status_reason", "processed_with", "video_info", "folder", "tags",
            "sha256", "created_at",
        }

    def test_it_filters_by_media_type(self, auth_api, workspace, media_root):
        MediaFileFactory(workspace=workspace)
        video = MediaFileFactory(workspace=workspace, media_type=MediaFile.MediaType.VIDEO, mime_type="video/mp4")

        response = auth_api.get(LIST_URL, {"media_type": "video"})

        assert [item["id"] for item in response.json()["results"]] == [video.pk]

    def test_it_answers_an_unknown_media_type_filter_with_a_field_error(self, auth_api, media_root):
        response = auth_api.get(LIST_URL, {"media_type": "hologram"})

        assert response.status_code == 400
        assert "media_type" in response.json()["error"]["fields"]

    def test_it_paginates(self, auth_api, workspace, media_root):
        MediaFileFactory.create_batch(22, workspace=workspace)

        first = auth_api.get(LIST_URL).json()
        second = auth_api.get(LIST_URL, {"page": 2}).json()

        assert (first["count"], len(first["results"]), len(second["results"])) == (22, 20, 2)
        assert first["next"] is not None and second["next"] is None

    def test_it_lists_in_a_constant_number_of_queries(self, auth_api, workspace, media_root):
        MediaFileFactory.create_batch(2, workspace=workspace)
        with CaptureQueriesContext(connection) as few:
            auth_api.get(LIST_URL)
        MediaFileFactory.create_batch(8, workspace=workspace)
        with CaptureQueriesContext(connection) as many:
            auth_api.get(LIST_URL)

        assert len(many) == len(few)

    def test_it_lets_a_viewer_read(self, auth_api, user, media_root):
        shared = WorkspaceFactory()
        MembershipFactory(user=user, workspace=shared, role=Membership.Role.VIEWER)
        media = MediaFileFactory(workspace=shared)

        response = auth_api.get(LIST_URL, HTTP_X_WORKSPACE=str(shared.pk))

        assert response.status_code == 200
        assert [item["id"] for item in response.json()["results"]] == [media.pk]

    def test_it_hides_another_workspaces_media(self, auth_api, media_root):
        foreign = MediaFileFactory()

        assert auth_api.get(detail_url(foreign)).status_code == 404


@pytest.mark.django_db
class TestMediaDelete:
    def test_it_deletes_the_row_and_the_stored_file_once_committed(self, auth_api, workspace, media_root, django_capture_on_commit_callbacks):
        media = MediaFileFactory(workspace=workspace)
        assert stored_files(media_root) == [media.file.name]

        with django_capture_on_commit_callbacks(execute=True):
            response = auth_api.delete(detail_url(media))

        assert response.status_code == 204
        assert not MediaFile.objects.filter(pk=media.pk).exists()
        assert stored_files(media_root) == []

    @pytest.mark.parametrize("status", [Status.SCHEDULED, Status.PUBLISHING, Status.POSTED, Status.FAILED])
    def test_it_refuses_while_a_live_post_uses_it(self, auth_api, workspace, media_root, status):
        media = MediaFileFactory(workspace=workspace)
        post = PostFactory(workspace=workspace, status=status)
        PostMedia.objects.create(post=post, media=media)

        response = auth_api.delete(detail_url(media))

        assert response.status_code == 409
        assert response.json()["error"]["code"] == "conflict"
        assert str(post.pk) in response.json()["error"]["message"]
        assert MediaFile.objects.filter(pk=media.pk).exists()
        assert stored_files(media_root) == [media.file.name]

    @pytest.mark.parametrize("status", [Status.DRAFT, Status.CANCELLED])
    def test_it_detaches_it_from_draft_and_cancelled_posts(
        self, auth_api, workspace, media_root, status, django_capture_on_commit_callbacks
    ):
        media = MediaFileFactory(workspace=workspace)
        post = PostFactory(workspace=workspace, status=status)
        PostMedia.objects.create(post=post, media=media)

        with django_capture_on_commit_callbacks(execute=True):
            response = auth_api.delete(detail_url(media))

        assert response.status_code == 204
        assert not PostMedia.objects.filter(post=post).exists()
        assert stored_files(media_root) == []

    def test_it_answers_404_for_another_workspaces_media(self, auth_api, media_root):
        foreign = MediaFileFactory()

        response = auth_api.delete(detail_url(foreign))

        assert response.status_code == 404
        assert MediaFile.objects.filter(pk=foreign.pk).exists()
        assert stored_files(media_root) == [foreign.file.name]

    def test_it_answers_404_for_a_non_numeric_id(self, auth_api, media_root):
        assert auth_api.delete("/api/v1/media/abc/").status_code == 404

    def test_it_forbids_a_viewer_to_delete(self, auth_api, user, media_root):
        shared = WorkspaceFactory()
        MembershipFactory(user=user, workspace=shared, role=Membership.Role.VIEWER)
        media = MediaFileFactory(workspace=shared)

        response = auth_api.delete(detail_url(media), HTTP_X_WORKSPACE=str(shared.pk))

        assert response.status_code == 403
        assert MediaFile.objects.filter(pk=media.pk).exists()
