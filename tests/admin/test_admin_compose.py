"""Staff create and edit scheduled posts in the admin through the posting services, to the second,
and the back office's labels read well."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from social_media.models import Post, PostTarget, Status
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory

pytestmark = pytest.mark.django_db
INLINES = {"targets-TOTAL_FORMS": "0", "targets-INITIAL_FORMS": "0", "post_media-TOTAL_FORMS": "0", "post_media-INITIAL_FORMS": "0", "first_comment-TOTAL_FORMS": "0", "first_comment-INITIAL_FORMS": "0"}


def test_staff_create_a_post_scheduled_to_the_second(admin_client, workspace):
    account = ConnectedAccountFactory(workspace=workspace)
    response = admin_client.post(reverse("admin:social_media_post_add"), {
        "workspace": workspace.pk, "content": "From the back office", "accounts": [account.pk],
        "scheduled_time_0": "2030-01-31", "scheduled_time_1": "09:15:07", **INLINES,
    })
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.status == Status.SCHEDULED and post.author == admin_client.user
    assert post.scheduled_time == datetime(2030, 1, 31, 9, 15, 7, tzinfo=UTC)
    assert PostTarget.objects.get().account == account
    page = admin_client.get(reverse("admin:social_media_post_change", args=[post.pk])).content.decode()
    assert 'value="09:15:07"' in page


def test_a_refusal_of_the_network_shows_next_to_the_text_and_saves_nothing(admin_client, workspace):
    account = ConnectedAccountFactory(workspace=workspace, platform_username="alice")
    response = admin_client.post(reverse("admin:social_media_post_add"), {
        "workspace": workspace.pk, "content": "x" * 501, "accounts": [account.pk],
        "scheduled_time_0": "2030-01-31", "scheduled_time_1": "09:00:00", **INLINES,
    })
    assert response.status_code == 200
    assert "Mastodon @alice: The text is 501 characters" in response.content.decode()
    assert not Post.objects.exists()


def test_an_account_of_another_workspace_is_refused(admin_client, workspace):
    foreign = ConnectedAccountFactory()
    response = admin_client.post(reverse("admin:social_media_post_add"), {"workspace": workspace.pk, "content": "hi", "accounts": [foreign.pk], **INLINES})
    assert response.status_code == 200
    assert f"No active connected account with id {foreign.pk} in this workspace." in response.content.decode()
    assert not Post.objects.exists()


def test_staff_reschedule_a_scheduled_post(admin_client, workspace):
    account = ConnectedAccountFactory(workspace=workspace)
    post = PostFactory(workspace=workspace, status=Status.SCHEDULED, scheduled_time=datetime(2030, 1, 1, 9, tzinfo=UTC))
    PostTargetFactory(post=post, account=account)
    response = admin_client.post(reverse("admin:social_media_post_change", args=[post.pk]), {
        "content": "Moved", "accounts": [account.pk], "scheduled_time_0": "2030-02-02", "scheduled_time_1": "10:11:12", **INLINES,
    })
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.content == "Moved" and post.scheduled_time == datetime(2030, 2, 2, 10, 11, 12, tzinfo=UTC)
    assert post.targets.get().next_attempt_at == post.scheduled_time


def test_the_back_office_reads_well(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "Social media scheduler — staff back office" in page
    assert "OAuth apps" in page and "Post media" in page
