"""Admin: the first comment inline on a post, checked per network; the delivery list and its retry."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from approvals.models import ApprovalEvent
from first_comments.models import FirstComment, FirstCommentDelivery
from social_media.models import PostTarget, Status
from tests.engine.conftest import staff_client  # noqa: F401
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory

pytestmark = pytest.mark.django_db


def test_the_post_admin_shows_the_first_comment_inline(staff_client):  # noqa: F811
    target = PostTargetFactory(account=ConnectedAccountFactory(platform="mastodon"))
    FirstComment.objects.create(post=target.post, content="Links below", delay_seconds=60)
    html = staff_client.get(reverse("admin:social_media_post_change", args=[target.post_id])).content.decode()
    assert "Links below" in html and "first_comment-0-delay_seconds" in html


def test_the_delivery_list_retries_a_failed_comment(staff_client):  # noqa: F811
    target = PostTargetFactory(post=PostFactory(status=Status.POSTED), status=Status.POSTED, platform_post_id="1")
    delivery = FirstCommentDelivery.objects.create(target=target, content="x", status="failed", due_at="2030-01-01T00:00:00Z",
                                                   error_message="Meta had a temporary error.")
    url = reverse("admin:first_comments_firstcommentdelivery_changelist")
    staff_client.post(url, {"action": "retry", "_selected_action": [delivery.pk]})
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.error_message == ""


def _approved_post_with_comment():
    """A scheduled (approved) post with a first comment, in a workspace that requires approval."""
    account = ConnectedAccountFactory(platform="mastodon")
    account.workspace.requires_approval = True
    account.workspace.save(update_fields=["requires_approval"])
    post = PostFactory(workspace=account.workspace, content="Approved", status=Status.SCHEDULED, scheduled_time=datetime(2030, 1, 1, 9, tzinfo=UTC))
    PostTargetFactory(post=post, account=account, status=Status.SCHEDULED, next_attempt_at=post.scheduled_time)
    comment = FirstComment.objects.create(post=post, content="Links below", delay_seconds=60)
    return post, account, comment


def _change_form(post, account, comment, **first_comment):
    return {
        "content": post.content, "accounts": [account.pk], "scheduled_time_0": "2030-01-01", "scheduled_time_1": "09:00:00",
        "targets-TOTAL_FORMS": "0", "targets-INITIAL_FORMS": "0", "post_media-TOTAL_FORMS": "0", "post_media-INITIAL_FORMS": "0",
        "first_comment-TOTAL_FORMS": "1", "first_comment-INITIAL_FORMS": "1", "first_comment-0-id": comment.pk,
        "first_comment-0-post": post.pk, "first_comment-0-content": comment.content, "first_comment-0-delay_seconds": comment.delay_seconds,
        **{f"first_comment-0-{key}": value for key, value in first_comment.items()},
    }


@pytest.mark.parametrize("change", [{"content": "Other links"}, {"DELETE": "on"}], ids=["changed", "removed"])
def test_changing_an_approved_posts_comment_in_the_admin_sends_it_back_for_approval(staff_client, change):  # noqa: F811
    post, account, comment = _approved_post_with_comment()
    response = staff_client.post(reverse("admin:social_media_post_change", args=[post.pk]), _change_form(post, account, comment, **change))
    assert response.status_code == 302, response.content.decode()[:3000]
    post.refresh_from_db()
    assert post.status == Status.PENDING_APPROVAL
    assert ApprovalEvent.objects.get(post=post).kind == "edited_after_approval"
    assert list(FirstComment.objects.filter(post=post).values_list("content", flat=True)) == ([] if "DELETE" in change else ["Other links"])


def test_saving_an_approved_post_unchanged_in_the_admin_keeps_it_scheduled(staff_client):  # noqa: F811
    post, account, comment = _approved_post_with_comment()
    response = staff_client.post(reverse("admin:social_media_post_change", args=[post.pk]), _change_form(post, account, comment))
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == Status.SCHEDULED and not ApprovalEvent.objects.filter(post=post).exists()
