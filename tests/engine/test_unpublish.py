"""Unpublishing through the engine, against the real servers: the reference Bluesky PDS, the Mastodon
fake and the X fake. The API (or admin) marks targets `deleting`; `unpublish_batch` is what the posting
worker runs for them (tests/engine/test_end_to_end.py runs it in a real worker)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from social_media.models import ConnectedAccount, Post, PostTarget, PublishAttempt, Status
from social_media.services.publishing import target_publish
from social_media.services.sweeper import stuck_after_seconds, sweep
from social_media.services.unpublishing import dispatch_due_deletes, unpublish_batch
from accounts.models import Membership
from tests.factories import ConnectedAccountFactory, MembershipFactory, PostFactory, PostTargetFactory, UserFactory
from tests.platforms.conftest_x import make_x_account

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def viewer_api_for():
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    def make(workspace):
        viewer = UserFactory()
        MembershipFactory(user=viewer, workspace=workspace, role=Membership.Role.VIEWER)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(viewer).access_token}", HTTP_X_WORKSPACE=str(workspace.pk))
        return client

    return make


def published_post(workspace, accounts, content="Going out and coming back"):
    """A post published on every account (through the engine), as its targets."""
    now = timezone.now()
    post = PostFactory(workspace=workspace, content=content, status=Status.SCHEDULED, scheduled_time=now)
    targets = [
        PostTargetFactory(post=post, account=account, status=Status.SCHEDULED, next_attempt_at=now, dispatched_at=now)
        for account in accounts
    ]
    for target in targets:
        assert target_publish(target_id=target.id).status == Status.POSTED
        target.refresh_from_db()
    post.refresh_from_db()
    return post, targets


def mastodon_account_of(fake, workspace, username):
    remote, token = fake.add_account(username)
    return ConnectedAccountFactory(workspace=workspace, platform="mastodon", platform_user_id=remote["id"], platform_username=username,
                                   access_token=token, refresh_token="", instance_url=fake.base_url)


def delete_attempts(target):
    return list(PublishAttempt.objects.filter(target=target, kind="delete").values_list("attempt_number", "outcome", "error_class", "http_status"))


def test_unpublish_deletes_the_post_from_bluesky_mastodon_and_x_then_it_can_be_deleted(
    auth_api, connect_bluesky, bluesky_pds, x_settings, x_fake, mastodon_fake
):
    workspace = auth_api.user.personal_workspace
    bluesky = connect_bluesky(workspace=workspace)
    x_account = make_x_account(x_fake)
    ConnectedAccount.objects.filter(id=x_account.id).update(workspace=workspace)
    mastodon = mastodon_account_of(mastodon_fake, workspace, "carol")
    post, (on_bluesky, on_x, on_mastodon) = published_post(workspace, [bluesky, x_account, mastodon])
    assert len(bluesky_pds.list_posts(bluesky.platform_user_id)) == 1 and len(mastodon_fake.posts) == 1
    assert auth_api.delete(f"/api/v1/posts/{post.id}/").status_code == 409  # live: unpublish first

    answer = auth_api.post(f"/api/v1/posts/{post.id}/unpublish/", {}, format="json")
    assert answer.status_code == 202, answer.content
    assert answer.json()["status"] == "deleting"
    assert {t["status"] for t in answer.json()["targets"]} == {"deleting"}
    assert auth_api.delete(f"/api/v1/posts/{post.id}/").status_code == 409  # still in a worker's hands

    outcomes = unpublish_batch(target_ids=[on_bluesky.id, on_x.id, on_mastodon.id])
    assert {target_id: o.status for target_id, o in outcomes.items()} == {
        on_bluesky.id: Status.DELETED, on_x.id: Status.DELETED, on_mastodon.id: Status.DELETED
    }
    assert bluesky_pds.list_posts(bluesky.platform_user_id) == []
    assert mastodon_fake.posts == []
    assert x_fake.post(on_x.platform_post_id).deleted
    assert [r.path for r in x_fake.requests_to(f"/2/tweets/{on_x.platform_post_id}", method="DELETE")] == [f"/2/tweets/{on_x.platform_post_id}"]
    detail = auth_api.get(f"/api/v1/posts/{post.id}/").json()
    assert detail["status"] == "deleted"
    for target in detail["targets"]:
        assert target["status"] == "deleted" and target["error_message"] == ""
        assert [(a["kind"], a["outcome"]) for a in target["attempts"]] == [("publish", "success"), ("delete", "success")]
    assert auth_api.delete(f"/api/v1/posts/{post.id}/").status_code == 204
    assert not Post.objects.filter(id=post.id).exists()


def test_unpublishing_some_targets_leaves_the_others_live(auth_api, mastodon_fake):
    workspace = auth_api.user.personal_workspace
    first, second = mastodon_account_of(mastodon_fake, workspace, "one"), mastodon_account_of(mastodon_fake, workspace, "two")
    post, (keep, remove) = published_post(workspace, [first, second])
    answer = auth_api.post(f"/api/v1/posts/{post.id}/unpublish/", {"targets": [remove.id]}, format="json")
    assert answer.status_code == 202
    unpublish_batch(target_ids=[remove.id])
    assert [p["account"]["username"] for p in mastodon_fake.posts] == ["one"]
    keep.refresh_from_db(), remove.refresh_from_db(), post.refresh_from_db()
    assert (keep.status, remove.status, post.status) == (Status.POSTED, Status.DELETED, Status.POSTED)
    assert auth_api.delete(f"/api/v1/posts/{post.id}/").status_code == 409


def test_unpublish_refuses_what_it_cannot_do_with_clear_errors(auth_api, mastodon_fake, viewer_api_for):
    workspace = auth_api.user.personal_workspace
    account = mastodon_account_of(mastodon_fake, workspace, "dora")
    post, (target,) = published_post(workspace, [account])
    draft = PostFactory(workspace=workspace)
    draft_target = PostTargetFactory(post=draft, account=account)

    unknown = auth_api.post(f"/api/v1/posts/{post.id}/unpublish/", {"targets": [draft_target.id]}, format="json")
    assert unknown.status_code == 400 and "targets" in unknown.json()["error"]["fields"]
    bad = auth_api.post(f"/api/v1/posts/{post.id}/unpublish/", {"targets": ["x"]}, format="json")
    assert bad.status_code == 400 and "targets" in bad.json()["error"]["fields"]
    nothing = auth_api.post(f"/api/v1/posts/{draft.id}/unpublish/", {}, format="json")
    assert nothing.status_code == 409 and "nothing to unpublish" in nothing.json()["error"]["message"]
    not_posted = auth_api.post(f"/api/v1/posts/{draft.id}/unpublish/", {"targets": [draft_target.id]}, format="json")
    assert not_posted.status_code == 409 and "draft" in not_posted.json()["error"]["message"]
    assert viewer_api_for(workspace).post(f"/api/v1/posts/{post.id}/unpublish/", {}, format="json").status_code == 403

    stranger = UserFactory()
    foreign = PostFactory(workspace=stranger.personal_workspace, status=Status.POSTED)
    assert auth_api.post(f"/api/v1/posts/{foreign.id}/unpublish/", {}, format="json").status_code == 404
    target.refresh_from_db()
    assert target.status == Status.POSTED and len(mastodon_fake.posts) == 1
    assert not [r for r in mastodon_fake.requests if r.method == "DELETE"]


def test_a_transient_error_is_retried_with_backoff_and_then_given_up_with_the_post_kept(mastodon_account, mastodon_fake, settings):
    settings.PUBLISH_MAX_ATTEMPTS = 2
    post, (target,) = published_post(mastodon_account.workspace, [mastodon_account])
    status_id = target.platform_post_id
    mastodon_fake.fail_next("500", status=503, times=2, method="DELETE", path=f"/api/v1/statuses/{status_id}")
    from social_media.services.unpublishing import post_unpublish

    post_unpublish(post=post)
    before = timezone.now()
    assert unpublish_batch(target_ids=[target.id])[target.id].status == Status.DELETING
    target.refresh_from_db()
    assert target.status == Status.DELETING and target.dispatched_at is None and target.claimed_at is None
    assert target.next_attempt_at >= before + timedelta(seconds=settings.PUBLISH_BACKOFF_BASE_SECONDS * 0.5)
    assert "Retrying at" in target.error_message
    assert unpublish_batch(target_ids=[target.id]) == {}  # not handed out again yet: nothing to claim

    sent = []
    assert dispatch_due_deletes(now=target.next_attempt_at, enqueue=lambda ids, eta: sent.append(ids)) == 1
    assert sent == [[target.id]]
    PostTarget.objects.filter(id=target.id).update(next_attempt_at=timezone.now())
    outcome = unpublish_batch(target_ids=[target.id])[target.id]
    target.refresh_from_db(), post.refresh_from_db()
    assert outcome.status == Status.POSTED and target.status == Status.POSTED and post.status == Status.POSTED
    assert "Gave up after 2 attempts" in target.error_message and "Mastodon" in target.error_message
    assert delete_attempts(target) == [(1, "retry", "TransientError", 503), (2, "failed", "TransientError", 503)]
    assert [p["id"] for p in mastodon_fake.posts] == [status_id]  # still live, and the user is told


def test_a_revoked_token_keeps_the_post_and_marks_the_account_for_reconnect(mastodon_account, mastodon_fake):
    post, (target,) = published_post(mastodon_account.workspace, [mastodon_account])
    from social_media.services.unpublishing import post_unpublish

    post_unpublish(post=post)
    mastodon_fake.fail_next("401", method="DELETE")
    assert unpublish_batch(target_ids=[target.id])[target.id].status == Status.POSTED
    target.refresh_from_db(), mastodon_account.refresh_from_db()
    assert target.status == Status.POSTED and "Could not delete the post from Mastodon" in target.error_message
    assert mastodon_account.needs_reconnect
    assert delete_attempts(target) == [(1, "failed", "AccountDisconnected", 401)]
    assert len(mastodon_fake.posts) == 1


def test_an_expired_x_token_is_refreshed_and_the_delete_retried_once(x_settings, x_fake):
    account = make_x_account(x_fake)
    post, (target,) = published_post(account.workspace, [account])
    x_fake.expire(account.access_token)
    from social_media.services.unpublishing import post_unpublish

    post_unpublish(post=post)
    assert unpublish_batch(target_ids=[target.id])[target.id].status == Status.DELETED
    assert x_fake.post(target.platform_post_id).deleted
    assert [r.headers.get("authorization") != f"Bearer {account.access_token}"
            for r in x_fake.requests_to(f"/2/tweets/{target.platform_post_id}", method="DELETE")] == [False, True]
    account.refresh_from_db()
    assert not account.needs_reconnect


def test_the_sweeper_hands_out_a_lost_delete_again_and_frees_one_whose_worker_died(mastodon_account, mastodon_fake):
    _post, (lost, stuck) = published_post(mastodon_account.workspace, [mastodon_account, mastodon_account_of(
        mastodon_fake, mastodon_account.workspace, "eve")])
    long_ago = timezone.now() - timedelta(seconds=stuck_after_seconds() + 60)
    PostTarget.objects.filter(id=lost.id).update(status=Status.DELETING, dispatched_at=long_ago, next_attempt_at=long_ago, claimed_at=None)
    PostTarget.objects.filter(id=stuck.id).update(status=Status.DELETING, dispatched_at=long_ago, next_attempt_at=long_ago,
                                                  claimed_at=long_ago, heartbeat_at=long_ago)
    PublishAttempt.objects.create(target=stuck, kind="delete", attempt_number=1, started_at=long_ago)
    assert sweep().redispatched == 2
    sent = []
    assert dispatch_due_deletes(enqueue=lambda ids, eta: sent.append(ids)) == 2
    handed_out = sorted(target_id for ids in sent for target_id in ids)
    assert handed_out == [lost.id, stuck.id]
    outcomes = unpublish_batch(target_ids=handed_out)
    assert {o.status for o in outcomes.values()} == {Status.DELETED} and mastodon_fake.posts == []
    assert delete_attempts(stuck) == [(1, "retry", "OutcomeUnknown", None), (2, "success", "", None)]


def test_staff_unpublish_from_the_admin_and_may_delete_the_post_only_afterwards(staff_client, mastodon_account, mastodon_fake):
    client = staff_client
    post, (target,) = published_post(mastodon_account.workspace, [mastodon_account])
    delete_url = reverse("admin:social_media_post_delete", args=[post.id])
    assert client.get(delete_url).status_code == 403  # live on Mastodon
    answer = client.post(reverse("admin:social_media_post_changelist"), {"action": "unpublish", "_selected_action": [post.id]}, follow=True)
    assert answer.status_code == 200 and "sent for deletion" in answer.content.decode()
    target.refresh_from_db()
    assert target.status == Status.DELETING
    unpublish_batch(target_ids=[target.id])
    assert mastodon_fake.posts == []
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Post.objects.filter(id=post.id).exists()


def test_staff_unpublish_one_target_from_the_target_admin(staff_client, mastodon_account, mastodon_fake):
    _post, (target,) = published_post(mastodon_account.workspace, [mastodon_account])
    staff_client.post(reverse("admin:social_media_posttarget_changelist"), {"action": "unpublish", "_selected_action": [target.id]}, follow=True)
    target.refresh_from_db()
    assert target.status == Status.DELETING


@pytest.mark.parametrize("statuses, deletable", [
    ((Status.FAILED, Status.CANCELLED), True),
    ((Status.DELETED, Status.FAILED), True),
    ((Status.DELETED, Status.POSTED), False),
    ((Status.DELETING, Status.DELETED), False),
    ((Status.UNCONFIRMED, Status.DELETED), False),
])
def test_a_post_may_be_deleted_only_when_nothing_of_it_is_live(auth_api, statuses, deletable):
    workspace = auth_api.user.personal_workspace
    post = PostFactory(workspace=workspace, status=Status.FAILED)
    for status in statuses:
        PostTargetFactory(post=post, account=ConnectedAccountFactory(workspace=workspace), status=status)
    answer = auth_api.delete(f"/api/v1/posts/{post.id}/")
    assert answer.status_code == (204 if deletable else 409)
    assert Post.objects.filter(id=post.id).exists() is not deletable
