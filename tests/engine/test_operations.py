"""Publish-now, attempts in the API, resolving unconfirmed targets in the admin, developer commands."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from social_media.models import PostTarget, Status
from social_media.services.publishing import target_publish
from tests.engine.conftest import due_target
from tests.engine.processes import celery_processes, wait_until
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory
from tests.platforms.conftest_x import make_x_account

pytestmark = pytest.mark.django_db(transaction=True)


def test_publish_now_sends_the_post_through_a_real_worker(auth_api, mastodon_fake):
    remote, token = mastodon_fake.add_account("now")
    account = ConnectedAccountFactory(workspace=auth_api.user.personal_workspace, platform="mastodon", platform_user_id=remote["id"],
                                      platform_username="now", access_token=token, instance_url=mastodon_fake.base_url)
    post = auth_api.post("/api/v1/posts/", {"content": "Right now", "target_accounts": [account.id]}).json()
    with celery_processes(beat=False, concurrency=2):
        answer = auth_api.post(f"/api/v1/posts/{post['id']}/publish-now/")
        assert answer.status_code == 200, answer.content
        wait_until(lambda: PostTarget.objects.filter(post_id=post["id"], status=Status.POSTED).exists(), timeout=60)
    assert [p["text"] for p in mastodon_fake.posts] == ["Right now"]
    detail = auth_api.get(f"/api/v1/posts/{post['id']}/").json()
    attempts = detail["targets"][0]["attempts"]
    assert [(a["attempt_number"], a["outcome"]) for a in attempts] == [(1, "success")]


def test_publish_now_validates_first(auth_api, mastodon_fake):
    account = ConnectedAccountFactory(workspace=auth_api.user.personal_workspace, platform="mastodon", instance_url=mastodon_fake.base_url)
    post = auth_api.post("/api/v1/posts/", {"content": "y" * 501, "target_accounts": [account.id]}).json()
    answer = auth_api.post(f"/api/v1/posts/{post['id']}/publish-now/")
    assert answer.status_code == 400 and str(account.id) in answer.json()["error"]["fields"]["targets"]
    assert mastodon_fake.requests == []


def test_a_failed_attempt_is_visible_in_the_post_detail(auth_api, mastodon_fake):
    remote, token = mastodon_fake.add_account("bob")
    account = ConnectedAccountFactory(workspace=auth_api.user.personal_workspace, platform="mastodon", platform_user_id=remote["id"],
                                      access_token=token, instance_url=mastodon_fake.base_url)
    target = due_target(account, "Will hit a 503")
    mastodon_fake.fail_next("500", status=503, method="POST", path="/api/v1/statuses")
    target_publish(target_id=target.id)
    detail = auth_api.get(f"/api/v1/posts/{target.post_id}/").json()
    attempt = detail["targets"][0]["attempts"][0]
    assert (attempt["outcome"], attempt["error_class"], attempt["http_status"]) == ("retry", "TransientError", 503)
    assert detail["targets"][0]["status"] == "scheduled" and "Retrying at" in detail["targets"][0]["error_message"]


def test_staff_resolve_an_unconfirmed_target_by_asking_the_network_again(staff_client, x_settings, x_fake):
    account = make_x_account(x_fake)
    target = due_target(account, "Did it land on X?")
    x_fake.fail_next("drop_after_store", path="/2/tweets", method="POST")
    x_fake.fail_next("server_error", times=1, path=f"/2/users/{account.platform_user_id}/tweets", method="GET")
    assert target_publish(target_id=target.id).status == Status.UNCONFIRMED
    url = reverse("admin:social_media_posttarget_changelist")
    answer = staff_client.post(url, {"action": "reconcile_now", "_selected_action": [target.id]}, follow=True)
    assert answer.status_code == 200
    target.refresh_from_db()
    assert target.status == Status.POSTED and target.platform_post_id == x_fake.posts[-1].id
    assert len([p for p in x_fake.posts if p.author_id == account.platform_user_id]) == 1


def test_staff_mark_an_unconfirmed_target_as_not_published(staff_client):
    target = PostTargetFactory(post=PostFactory(status=Status.UNCONFIRMED), status=Status.UNCONFIRMED)
    url = reverse("admin:social_media_posttarget_changelist")
    staff_client.post(url, {"action": "mark_not_published", "_selected_action": [target.id]}, follow=True)
    target.refresh_from_db()
    assert target.status == Status.FAILED and "confirmed missing" in target.error_message
    target.post.refresh_from_db()
    assert target.post.status == Status.FAILED


def test_publish_due_and_publish_target_commands_report_what_they_did(mastodon_account, mastodon_fake):
    due_target(mastodon_account, "Due now", dispatched=False)
    out = StringIO()
    call_command("publish_due", stdout=out)
    assert out.getvalue().startswith("dispatched 1 target(s)")
    target = due_target(mastodon_account, "By hand", dispatched=False)
    out = StringIO()
    call_command("publish_target", str(target.id), stdout=out)
    assert out.getvalue().startswith(f"target {target.id}: posted")
    assert "By hand" in [p["text"] for p in mastodon_fake.posts]


def test_check_account_prints_the_limits_read_from_the_network(mastodon_account, mastodon_fake):
    mastodon_fake.limits["max_characters"] = 1234
    out = StringIO()
    call_command("check_account", str(mastodon_account.id), stdout=out)
    assert "credentials ok" in out.getvalue() and "max_characters: 1234" in out.getvalue()
    mastodon_account.refresh_from_db()
    assert mastodon_account.platform_settings["max_characters"] == 1234
