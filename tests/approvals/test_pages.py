"""The web app's approval pages (Django test client): the composer's button, the post page's forms
and history, the public review page, and the workspace setting on the team page."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from approvals import services
from approvals.models import ApprovalEvent, ReviewLink
from social_media.models import Post, Status
from social_media.services import posts as post_services

from .conftest import in_future

pytestmark = pytest.mark.django_db


def login(user, workspace):
    client = Client()
    client.force_login(user)
    session = client.session
    session["workspace_id"] = workspace.pk
    session.save()
    return client


@pytest.fixture
def pending(workspace, account, editor):
    return post_services.post_create(workspace=workspace, author=editor, content="Launch day #news", accounts=[account], scheduled_time=in_future())


def test_the_composer_says_submit_for_approval_to_editors_only(workspace, account, editor, user):
    page = login(editor, workspace).get("/compose/").content.decode()
    assert "Submit for approval" in page and ">Schedule<" not in page
    page = login(user, workspace).get("/compose/").content.decode()
    assert "Submit for approval" not in page and ">Schedule<" in page


def test_an_editors_composer_schedule_submits(workspace, account, editor):
    at = timezone.localtime(in_future()).strftime("%Y-%m-%dT%H:%M")
    answer = login(editor, workspace).post("/compose/", {"accounts": [account.pk], "content": "From the composer", "scheduled_time": at, "action": "schedule"})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    post = Post.objects.get(content="From the composer")
    assert post.status == Status.PENDING_APPROVAL
    assert ApprovalEvent.objects.get(post=post).kind == "submitted"


def test_the_post_page_shows_the_state_history_and_the_forms_by_role(workspace, pending, editor, user, viewer):
    owner_page = login(user, workspace).get(f"/posts/{pending.pk}/").content.decode()
    assert "Pending approval" in owner_page and "Submitted for approval" in owner_page and editor.username in owner_page
    assert f"/posts/{pending.pk}/approval/approve/" in owner_page and f"/posts/{pending.pk}/approval/reject/" in owner_page
    editor_page = login(editor, workspace).get(f"/posts/{pending.pk}/").content.decode()
    assert "/approval/approve/" not in editor_page and "/approval/comment/" in editor_page
    viewer_page = login(viewer, workspace).get(f"/posts/{pending.pk}/").content.decode()
    assert "/approval/" not in viewer_page


def test_approve_and_reject_forms(workspace, pending, editor, user, viewer, account):
    assert login(editor, workspace).post(f"/posts/{pending.pk}/approval/approve/").status_code == 302
    assert Post.objects.get(pk=pending.pk).status == Status.PENDING_APPROVAL  # refused, with a message
    assert login(viewer, workspace).post(f"/posts/{pending.pk}/approval/comment/", {"comment": "x"}).status_code == 403

    owner = login(user, workspace)
    owner.post(f"/posts/{pending.pk}/approval/reject/", {"comment": "Not this week"})
    assert Post.objects.get(pk=pending.pk).status == Status.DRAFT
    page = owner.get(f"/posts/{pending.pk}/").content.decode()
    assert "Not this week" in page and "Rejected" in page

    again = post_services.post_create(workspace=workspace, author=editor, content="Second try", accounts=[account], scheduled_time=in_future())
    owner.post(f"/posts/{again.pk}/approval/approve/")
    assert Post.objects.get(pk=again.pk).status == Status.SCHEDULED


def test_a_past_post_is_approved_only_with_the_confirmation(workspace, pending, user):
    Post.objects.filter(pk=pending.pk).update(scheduled_time=timezone.now() - timedelta(minutes=1))
    owner = login(user, workspace)
    page = owner.get(f"/posts/{pending.pk}/").content.decode()
    assert "Approve and publish now" in page and "data-confirm" in page
    owner.post(f"/posts/{pending.pk}/approval/approve/")
    assert Post.objects.get(pk=pending.pk).status == Status.PENDING_APPROVAL
    owner.post(f"/posts/{pending.pk}/approval/approve/", {"publish_now_if_past": "1"})
    assert Post.objects.get(pk=pending.pk).status == Status.SCHEDULED


def test_the_review_link_page_approves_without_an_account_and_stops_when_revoked(workspace, pending, user):
    owner = login(user, workspace)
    owner.post(f"/posts/{pending.pk}/approval/review-link/")
    page = owner.get(f"/posts/{pending.pk}/").content.decode()
    url = re.search(r'value="(http[^"]+/review/([^"/]+)/)"', page)
    assert url, "the new link is shown once on the post page"
    token = url.group(2)
    assert token not in owner.get(f"/posts/{pending.pk}/").content.decode()  # once only

    anonymous = Client(enforce_csrf_checks=True)
    review = anonymous.get(f"/review/{token}/")
    assert review.status_code == 200
    body = review.content.decode()
    assert "Launch day" in body and 'class="preview"' in body and "<script>" not in body
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    assert anonymous.post(f"/review/{token}/", {"action": "approve", "name": "Carla"}).status_code == 403  # no CSRF token
    answer = anonymous.post(f"/review/{token}/", {"action": "approve", "name": "Carla", "csrfmiddlewaretoken": csrf})
    assert answer.status_code == 302
    assert Post.objects.get(pk=pending.pk).status == Status.SCHEDULED
    assert ApprovalEvent.objects.get(post=pending, kind="approved").reviewer_name == "Carla"

    link = ReviewLink.objects.get(post=pending)
    owner.post(f"/review-links/{link.pk}/revoke/")
    gone = anonymous.get(f"/review/{token}/")
    assert gone.status_code == 404 and "no longer works" in gone.content.decode()


def test_the_review_page_refuses_a_missing_name_and_comments(workspace, pending, user):
    _link, token = services.review_link_create(post=pending, actor=user)
    client = Client()
    answer = client.post(f"/review/{token}/", {"action": "approve", "name": ""})
    assert answer.status_code == 400 and Post.objects.get(pk=pending.pk).status == Status.PENDING_APPROVAL
    client.post(f"/review/{token}/", {"action": "comment", "name": "Carla", "comment": "Swap the photo"})
    assert ApprovalEvent.objects.get(post=pending, kind="commented").comment == "Swap the photo"
    assert client.get("/review/not-a-token/").status_code == 404


def test_the_team_page_changes_the_setting_for_admins(workspace, user, editor):
    page = login(user, workspace).get("/team/").content.decode()
    assert 'name="requires_approval"' in page
    login(editor, workspace).post("/team/", {"form": "approval"})
    workspace.refresh_from_db()
    assert workspace.requires_approval is True
    login(user, workspace).post("/team/", {"form": "approval"})  # unticked
    workspace.refresh_from_db()
    assert workspace.requires_approval is False
