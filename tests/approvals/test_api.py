"""The approvals API: status codes, the error shape, the rows written, roles and workspaces."""

from datetime import timedelta

import pytest
from django.utils import timezone

from approvals.models import ApprovalEvent, ReviewLink
from social_media.models import Post, PostTarget, Status
from tests.factories import ConnectedAccountFactory, UserFactory

from .conftest import api_for, in_future

pytestmark = pytest.mark.django_db


def iso(at):
    return at.isoformat()


@pytest.fixture
def submitted(editor_api, account):
    """A post an editor created with a time: the API answers it pending approval."""
    answer = editor_api.post("/api/v1/posts/", {"content": "For approval", "target_accounts": [account.pk], "scheduled_time": iso(in_future())})
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "pending_approval"
    return Post.objects.get(pk=answer.json()["id"])


def test_an_editors_schedule_call_answers_pending_approval(editor_api, account):
    post = editor_api.post("/api/v1/posts/", {"content": "Draft", "target_accounts": [account.pk]}).json()
    answer = editor_api.post(f"/api/v1/posts/{post['id']}/schedule/", {"scheduled_time": iso(in_future())})
    assert answer.status_code == 200 and answer.json()["status"] == "pending_approval"
    answer = editor_api.post(f"/api/v1/posts/{post['id']}/publish-now/")
    assert answer.status_code == 200 and answer.json()["status"] == "pending_approval"
    assert not PostTarget.objects.filter(post_id=post["id"], dispatched_at__isnull=False).exists()


def test_submit_endpoint(editor_api, account):
    post = editor_api.post("/api/v1/posts/", {"content": "Draft", "target_accounts": [account.pk]}).json()
    answer = editor_api.post(f"/api/v1/posts/{post['id']}/submit/", {})
    assert answer.status_code == 400 and "scheduled_time" in answer.json()["error"]["fields"]
    answer = editor_api.post(f"/api/v1/posts/{post['id']}/submit/", {"scheduled_time": iso(in_future())})
    assert answer.status_code == 200 and answer.json()["status"] == "pending_approval"
    assert list(ApprovalEvent.objects.filter(post_id=post["id"]).values_list("kind", flat=True)) == ["submitted"]


def test_the_owner_approves_and_the_history_shows_who_and_when(owner_api, editor_api, submitted, editor, user):
    answer = owner_api.post(f"/api/v1/posts/{submitted.pk}/approve/", {"comment": "Ship it"})
    assert answer.status_code == 200 and answer.json()["status"] == "scheduled"
    history = editor_api.get(f"/api/v1/posts/{submitted.pk}/approval-events/").json()
    assert [(e["kind"], e["actor"], e["who"]) for e in history] == [
        ("submitted", editor.pk, editor.username), ("approved", user.pk, user.username)]
    assert history[1]["comment"] == "Ship it" and history[1]["created_at"]


def test_approving_a_past_post_asks_first(owner_api, submitted):
    Post.objects.filter(pk=submitted.pk).update(scheduled_time=timezone.now() - timedelta(minutes=2))
    answer = owner_api.post(f"/api/v1/posts/{submitted.pk}/approve/", {})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "validation_error" and "publish_now_if_past" in error["fields"]
    answer = owner_api.post(f"/api/v1/posts/{submitted.pk}/approve/", {"publish_now_if_past": True}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "scheduled"
    assert PostTarget.objects.get(post=submitted).dispatched_at is not None


def test_editors_and_viewers_get_403(editor_api, viewer_api, submitted):
    for client in (editor_api, viewer_api):
        for path, body in (("approve/", {}), ("reject/", {"comment": "no"}), ("review-links/", {})):
            answer = client.post(f"/api/v1/posts/{submitted.pk}/{path}", body)
            assert answer.status_code == 403, (path, answer.content)
            assert answer.json()["error"]["code"] == "permission_denied"
    assert viewer_api.post(f"/api/v1/posts/{submitted.pk}/comments/", {"comment": "hi"}).status_code == 403
    assert viewer_api.post(f"/api/v1/posts/{submitted.pk}/submit/", {}).status_code == 403
    assert viewer_api.get(f"/api/v1/posts/{submitted.pk}/approval-events/").status_code == 200
    assert Post.objects.get(pk=submitted.pk).status == Status.PENDING_APPROVAL
    assert list(ApprovalEvent.objects.filter(post=submitted).values_list("kind", flat=True)) == ["submitted"]


def test_another_workspaces_post_is_a_404(submitted):
    stranger = UserFactory()
    client = api_for(stranger, stranger.personal_workspace)
    for path in ("approve/", "reject/", "comments/", "review-links/", "submit/"):
        answer = client.post(f"/api/v1/posts/{submitted.pk}/{path}", {"comment": "x"})
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"
    assert client.get(f"/api/v1/posts/{submitted.pk}/approval-events/").status_code == 404


def test_reject_needs_a_comment_and_returns_the_post_to_draft(owner_api, submitted):
    answer = owner_api.post(f"/api/v1/posts/{submitted.pk}/reject/", {})
    assert answer.status_code == 400 and "comment" in answer.json()["error"]["fields"]
    answer = owner_api.post(f"/api/v1/posts/{submitted.pk}/reject/", {"comment": "Tone it down"})
    assert answer.status_code == 200 and answer.json()["status"] == "draft"
    again = owner_api.post(f"/api/v1/posts/{submitted.pk}/approve/", {})
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


def test_comments_are_listed(editor_api, owner_api, submitted):
    answer = editor_api.post(f"/api/v1/posts/{submitted.pk}/comments/", {"comment": "Is the link right?"})
    assert answer.status_code == 201 and answer.json()["kind"] == "commented"
    listed = owner_api.get(f"/api/v1/posts/{submitted.pk}/comments/").json()
    assert [c["comment"] for c in listed] == ["Is the link right?"]


def test_review_links_are_created_once_listed_and_revoked(owner_api, client, submitted):
    answer = owner_api.post(f"/api/v1/posts/{submitted.pk}/review-links/", {"expires_in_hours": 48})
    assert answer.status_code == 201
    body = answer.json()
    token = body["url"].rstrip("/").rsplit("/", 1)[1]
    assert body["status"] == "active" and ReviewLink.objects.get(pk=body["id"]).token_hash != token
    listed = owner_api.get(f"/api/v1/posts/{submitted.pk}/review-links/").json()
    assert [link["id"] for link in listed] == [body["id"]] and "url" not in listed[0]
    assert client.get(f"/review/{token}/").status_code == 200

    answer = owner_api.post(f"/api/v1/posts/{submitted.pk}/review-links/{body['id']}/revoke/")
    assert answer.status_code == 200 and answer.json()["status"] == "revoked"
    assert client.get(f"/review/{token}/").status_code == 404
    assert owner_api.post(f"/api/v1/posts/{submitted.pk}/review-links/999999/revoke/").status_code == 404


def test_the_workspace_setting_is_read_by_members_and_changed_by_admins(owner_api, editor_api, workspace):
    assert editor_api.get(f"/api/v1/workspaces/{workspace.pk}/").json()["requires_approval"] is True
    assert editor_api.patch(f"/api/v1/workspaces/{workspace.pk}/", {"requires_approval": False}).status_code == 403
    answer = owner_api.patch(f"/api/v1/workspaces/{workspace.pk}/", {"requires_approval": False})
    assert answer.status_code == 200 and answer.json()["requires_approval"] is False
    workspace.refresh_from_db()
    assert workspace.requires_approval is False


def test_an_edit_of_an_approved_post_through_the_api_sends_it_back(owner_api, editor_api, submitted):
    owner_api.post(f"/api/v1/posts/{submitted.pk}/approve/", {})
    answer = editor_api.patch(f"/api/v1/posts/{submitted.pk}/", {"content": "Changed after approval"})
    assert answer.status_code == 200 and answer.json()["status"] == "pending_approval"
    kinds = [e["kind"] for e in owner_api.get(f"/api/v1/posts/{submitted.pk}/approval-events/").json()]
    assert kinds == ["submitted", "approved", "edited_after_approval"]


@pytest.fixture
def approved_with_comment(owner_api, editor_api, account):
    """An editor's post with a first comment, approved by the owner: scheduled."""
    answer = editor_api.post("/api/v1/posts/", {"content": "For approval", "target_accounts": [account.pk], "scheduled_time": iso(in_future()),
                                                "first_comment": {"content": "Links below", "delay_seconds": 60}}, format="json")
    assert answer.json()["status"] == "pending_approval", answer.content
    post = Post.objects.get(pk=answer.json()["id"])
    assert owner_api.post(f"/api/v1/posts/{post.pk}/approve/", {}).json()["status"] == "scheduled"
    return post


@pytest.mark.parametrize("first_comment", [
    {"content": "Other links below", "delay_seconds": 60}, {"content": "Links below", "delay_seconds": 600}, None,
], ids=["changed", "delay_changed", "removed"])
def test_a_first_comment_change_of_an_approved_post_sends_it_back(approved_with_comment, admin_member, workspace, owner_api, first_comment):
    post = approved_with_comment
    answer = api_for(admin_member, workspace).patch(f"/api/v1/posts/{post.pk}/", {"first_comment": first_comment}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "pending_approval" and answer.json()["first_comment"] == first_comment
    assert set(PostTarget.objects.filter(post=post).values_list("status", flat=True)) == {Status.PENDING_APPROVAL}
    events = list(ApprovalEvent.objects.filter(post=post).order_by("id").values_list("kind", "actor"))
    assert events[-1] == ("edited_after_approval", admin_member.pk) and len(events) == 3


def test_a_first_comment_set_on_an_approved_post_without_one_sends_it_back(owner_api, submitted, admin_member, workspace):
    owner_api.post(f"/api/v1/posts/{submitted.pk}/approve/", {})
    answer = api_for(admin_member, workspace).patch(f"/api/v1/posts/{submitted.pk}/", {"first_comment": {"content": "New"}}, format="json")
    assert answer.json()["status"] == "pending_approval"
    assert ApprovalEvent.objects.filter(post=submitted).latest("id").kind == "edited_after_approval"


def test_an_unchanged_first_comment_keeps_an_approved_post_scheduled(approved_with_comment, admin_member, workspace):
    post = approved_with_comment
    answer = api_for(admin_member, workspace).patch(f"/api/v1/posts/{post.pk}/", {"first_comment": {"content": "Links below", "delay_seconds": 60}},
                                                    format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "scheduled"
    assert list(ApprovalEvent.objects.filter(post=post).order_by("id").values_list("kind", flat=True)) == ["submitted", "approved"]


def test_an_admin_creating_a_scheduled_post_with_a_first_comment_is_not_sent_for_approval(admin_member, workspace, account):
    answer = api_for(admin_member, workspace).post("/api/v1/posts/", {
        "content": "Mine", "target_accounts": [account.pk], "scheduled_time": iso(in_future()), "first_comment": {"content": "Links"},
    }, format="json")
    assert answer.status_code == 201 and answer.json()["status"] == "scheduled"
    assert not ApprovalEvent.objects.filter(post_id=answer.json()["id"]).exists()


def test_the_schema_lists_the_endpoints(owner_api):
    schema = owner_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("submit", "approve", "reject", "comments", "approval-events", "review-links", "review-links/{link_id}/revoke"):
        assert f"/api/v1/posts/{{id}}/{path}/" in schema["paths"], path
