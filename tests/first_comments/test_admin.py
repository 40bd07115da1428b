"""Admin: the first comment inline on a post, checked per network; the delivery list and its retry."""

import pytest
from django.urls import reverse

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
