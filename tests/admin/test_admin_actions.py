from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from media.models import MediaFile
from social_media.models import ConnectedAccount, Post, PostMedia, PostTarget, Status
from tests.factories import ConnectedAccountFactory, MediaFileFactory, PostFactory, PostTargetFactory, WorkspaceFactory

from .conftest import messages_of

SOON = timezone.now() + timedelta(hours=2)


def run_action(client, model, action, objects):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return client.post(url, {"action": action, "_selected_action": [o.pk for o in objects]}, follow=True)


@pytest.fixture
def workspace(db):
    return WorkspaceFactory()


def scheduled_post(workspace, n_targets=1):
    post = PostFactory(workspace=workspace, status=Status.SCHEDULED, scheduled_time=SOON)
    return post, [PostTargetFactory(post=post) for _ in range(n_targets)]


def test_it_cancels_scheduled_posts_and_reports_the_ones_it_cannot(admin_client, workspace):
    post, targets = scheduled_post(workspace, n_targets=2)
    posted = PostFactory(workspace=workspace, status=Status.POSTED)
    PostTargetFactory(post=posted, status=Status.POSTED)

    response = run_action(admin_client, Post, "cancel", [post, posted])

    assert response.status_code == 200
    post.refresh_from_db()
    posted.refresh_from_db()
    assert post.status == Status.CANCELLED
    assert set(PostTarget.objects.filter(post=post).values_list("status", flat=True)) == {Status.CANCELLED}
    assert posted.status == Status.POSTED
    notes = messages_of(response)
    assert "1 post(s) cancelled." in notes
    assert any(note.startswith(f"{posted}:") and "posted" in note for note in notes)


def test_it_retries_failed_targets_and_reports_the_others(admin_client, workspace):
    post = PostFactory(workspace=workspace, status=Status.PARTIALLY_POSTED)
    failed = PostTargetFactory(post=post, status=Status.FAILED, error_message="503 from upstream", retry_count=5)
    done = PostTargetFactory(post=post, status=Status.POSTED)

    response = run_action(admin_client, PostTarget, "retry", [failed, done])

    failed.refresh_from_db()
    done.refresh_from_db()
    assert (failed.status, failed.error_message, failed.retry_count) == (Status.SCHEDULED, "", 0)
    assert failed.next_attempt_at is not None
    assert done.status == Status.POSTED
    notes = messages_of(response)
    assert "1 target(s) scheduled for retry." in notes
    assert any(note.startswith(f"{done}:") and "retried" in note for note in notes)


def test_it_deactivates_accounts_and_fails_their_waiting_targets(admin_client, workspace):
    account = ConnectedAccountFactory(workspace=workspace)
    post = PostFactory(workspace=workspace, status=Status.SCHEDULED, scheduled_time=SOON)
    target = PostTargetFactory(post=post, account=account)

    response = run_action(admin_client, ConnectedAccount, "deactivate", [account])

    account.refresh_from_db()
    target.refresh_from_db()
    assert account.is_active is False
    assert target.status == Status.FAILED
    assert "reconnect" in target.error_message
    assert account.access_token.startswith("access-token-")  # the credentials themselves are untouched
    assert "1 account(s) deactivated." in messages_of(response)


def delete_media(client, objects):
    url = reverse("admin:media_mediafile_changelist")
    return client.post(url, {"action": "delete_selected", "_selected_action": [o.pk for o in objects], "post": "yes"}, follow=True)


def test_it_deletes_media_with_its_file_and_its_links_to_drafts(admin_client, workspace, media_root, django_capture_on_commit_callbacks):
    free = MediaFileFactory(workspace=workspace)
    in_draft = MediaFileFactory(workspace=workspace)
    draft = PostFactory(workspace=workspace, status=Status.DRAFT)
    PostMedia.objects.create(post=draft, media=in_draft)

    with django_capture_on_commit_callbacks(execute=True):
        response = delete_media(admin_client, [free, in_draft])

    assert response.status_code == 200
    assert "Successfully deleted 2" in " ".join(messages_of(response))
    assert not MediaFile.objects.exists()
    assert not PostMedia.objects.exists()
    assert list(media_root.rglob("*.png")) == []


def test_it_refuses_to_delete_media_a_live_post_uses(admin_client, workspace, media_root):
    free = MediaFileFactory(workspace=workspace)
    busy = MediaFileFactory(workspace=workspace)
    post, _ = scheduled_post(workspace)
    PostMedia.objects.create(post=post, media=busy)

    bulk = delete_media(admin_client, [free, busy])
    single = admin_client.get(reverse("admin:media_mediafile_delete", args=[busy.pk]))

    assert MediaFile.objects.count() == 2
    assert (media_root / busy.file.name).exists() and (media_root / free.file.name).exists()
    for page in (bulk.content.decode(), single.content.decode()):
        assert f"used by post {post.pk}, which is scheduled" in page


def test_it_lets_staff_edit_drafts_and_scheduled_posts_but_not_published_ones(admin_client, workspace):
    draft = PostFactory(workspace=workspace, content="old words")
    posted = PostFactory(workspace=workspace, content="out there", status=Status.POSTED)

    edited = admin_client.post(reverse("admin:social_media_post_change", args=[draft.pk]), {
        "content": "new words",
        "targets-TOTAL_FORMS": "0", "targets-INITIAL_FORMS": "0",
        "post_media-TOTAL_FORMS": "0", "post_media-INITIAL_FORMS": "0",
        "first_comment-TOTAL_FORMS": "0", "first_comment-INITIAL_FORMS": "0",
    })
    page = admin_client.get(reverse("admin:social_media_post_change", args=[posted.pk])).content.decode()

    assert edited.status_code == 302
    draft.refresh_from_db()
    assert draft.content == "new words"
    assert 'name="content"' not in page


def test_it_offers_cancel_and_retry_only_to_staff_who_may_change_posts(client, admin_client, workspace):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    viewer = UserFactory(username="auditor")
    viewer.is_staff = True
    viewer.save()
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_post", "view_posttarget"]))
    post, (target,) = scheduled_post(workspace)
    pages = {
        "cancel": reverse("admin:social_media_post_changelist"),
        "retry": reverse("admin:social_media_posttarget_changelist"),
    }

    for action, url in pages.items():
        assert f'<option value="{action}">' in admin_client.get(url).content.decode()
    client.force_login(viewer)
    for action, url in pages.items():
        page = client.get(url)
        assert page.status_code == 200
        assert f'<option value="{action}">' not in page.content.decode()
    client.post(pages["cancel"], {"action": "cancel", "_selected_action": [post.pk]})
    post.refresh_from_db()
    assert post.status == Status.SCHEDULED
