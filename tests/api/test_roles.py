"""Roles in the request's workspace: viewers read, editors write posts and queues, admins manage accounts."""

import pytest

from accounts.models import Membership
from social_media.models import ConnectedAccount, Post, PostQueue, Status
from tests.factories import PostFactory, PostQueueFactory, PostTargetFactory

from .helpers import in_future, iso

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(workspace, account):
    post = PostFactory(workspace=workspace, status=Status.SCHEDULED, scheduled_time=in_future())
    PostTargetFactory(post=post, account=account)
    return post


@pytest.fixture
def queue(workspace):
    return PostQueueFactory(workspace=workspace)


def test_a_viewer_reads_everything(viewer_api, post, queue, account):
    for url in (
        "/api/v1/posts/", f"/api/v1/posts/{post.pk}/", f"/api/v1/posts/{post.pk}/analytics/",
        "/api/v1/queues/", f"/api/v1/queues/{queue.pk}/", "/api/v1/accounts/", f"/api/v1/accounts/{account.pk}/",
    ):
        assert viewer_api.get(url).status_code == 200, url


def test_a_viewer_cannot_write(viewer_api, post, queue, account):
    answers = [
        viewer_api.post("/api/v1/posts/", {"content": "x", "target_accounts": [account.pk]}),
        viewer_api.patch(f"/api/v1/posts/{post.pk}/", {"content": "changed"}),
        viewer_api.post(f"/api/v1/posts/{post.pk}/schedule/", {"scheduled_time": iso(in_future(days=2))}),
        viewer_api.post(f"/api/v1/posts/{post.pk}/cancel/"),
        viewer_api.delete(f"/api/v1/posts/{post.pk}/"),
        viewer_api.post("/api/v1/queues/", {"name": "Q", "timezone": "UTC", "posting_schedule": {}}),
        viewer_api.patch(f"/api/v1/queues/{queue.pk}/", {"name": "changed"}),
        viewer_api.post(f"/api/v1/queues/{queue.pk}/add-post/", {"post_id": post.pk}),
        viewer_api.post(f"/api/v1/queues/{queue.pk}/reorder/", {"post_ids": []}),
        viewer_api.delete(f"/api/v1/queues/{queue.pk}/"),
    ]
    assert [r.status_code for r in answers] == [403] * len(answers)
    assert answers[0].json()["error"]["code"] == "permission_denied"
    post.refresh_from_db()
    assert (post.status, post.content.startswith("Post number")) == (Status.SCHEDULED, True)
    assert Post.objects.count() == 1 and PostQueue.objects.filter(pk=queue.pk).exists()


def test_an_editor_writes_posts_and_queues(editor_api, post, queue, account):
    assert editor_api.post("/api/v1/posts/", {"content": "x", "target_accounts": [account.pk]}).status_code == 201
    assert editor_api.post(f"/api/v1/posts/{post.pk}/cancel/").status_code == 200
    assert editor_api.patch(f"/api/v1/queues/{queue.pk}/", {"name": "Mine"}).status_code == 200


def test_an_editor_cannot_manage_accounts(editor_api, account):
    assert editor_api.patch(f"/api/v1/accounts/{account.pk}/", {"display_name": "x"}).status_code == 403
    assert editor_api.delete(f"/api/v1/accounts/{account.pk}/disconnect/").status_code == 403
    stored = ConnectedAccount.objects.get(pk=account.pk)
    assert stored.is_active and stored.access_token == account.access_token


def test_an_admin_manages_accounts(member_api, account):
    admin = member_api(Membership.Role.ADMIN)
    assert admin.patch(f"/api/v1/accounts/{account.pk}/", {"display_name": "Brand"}).status_code == 200
    assert admin.delete(f"/api/v1/accounts/{account.pk}/disconnect/").status_code == 204


def test_a_workspace_the_user_does_not_belong_to_is_404(auth_api, queue):
    other_workspace_post = PostFactory()
    auth_api.credentials(HTTP_AUTHORIZATION=auth_api._credentials["HTTP_AUTHORIZATION"], HTTP_X_WORKSPACE=str(other_workspace_post.workspace_id))
    assert auth_api.get("/api/v1/posts/").status_code == 404


def test_anonymous_requests_are_refused(api, post):
    assert api.get("/api/v1/posts/").status_code == 401
    assert api.get(f"/api/v1/posts/{post.pk}/").status_code == 401
