"""What the posts API says about a target's history: retry_count counts retries, and refusing to
publish a published post says that it was published."""

import pytest
from django.utils import timezone

from social_media.models import PostTarget, Status
from social_media.services.publishing import target_publish
from tests.engine.conftest import due_target
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def owner_api(auth_api, mastodon_account):
    MembershipFactory(user=auth_api.user, workspace=mastodon_account.workspace, role="admin")
    auth_api.credentials(HTTP_AUTHORIZATION=auth_api._credentials["HTTP_AUTHORIZATION"], HTTP_X_WORKSPACE=str(mastodon_account.workspace_id))
    return auth_api


def target_json(api, target):
    [shown] = api.get(f"/api/v1/posts/{target.post_id}/").json()["targets"]
    return shown


def test_one_successful_attempt_is_zero_retries(owner_api, mastodon_account, mastodon_fake):
    target = due_target(mastodon_account, "First time lucky")
    assert target_publish(target_id=target.id).status == Status.POSTED

    shown = target_json(owner_api, target)
    assert (shown["status"], shown["retry_count"], len(shown["attempts"])) == ("posted", 0, 1)


def test_a_retried_publish_counts_one_retry(owner_api, mastodon_account, mastodon_fake):
    target = due_target(mastodon_account, "Second time")
    mastodon_fake.fail_next("500", method="POST", path="/api/v1/statuses")
    assert target_publish(target_id=target.id).status == Status.SCHEDULED
    assert target_json(owner_api, target)["retry_count"] == 0  # failed once, not retried yet

    PostTarget.objects.filter(id=target.id).update(next_attempt_at=timezone.now(), dispatched_at=timezone.now())
    assert target_publish(target_id=target.id).status == Status.POSTED

    shown = target_json(owner_api, target)
    assert (shown["retry_count"], [a["attempt_number"] for a in shown["attempts"]]) == (1, [1, 2])


def test_the_schema_says_what_retry_count_counts(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    field = schema["components"]["schemas"]["PostTarget"]["properties"]["retry_count"]
    assert field["readOnly"] and "attempts after the first" in field["description"]


def test_publish_now_on_a_published_post_says_it_was_published(owner_api, mastodon_account, mastodon_fake):
    target = due_target(mastodon_account, "Only once")
    assert target_publish(target_id=target.id).status == Status.POSTED

    answer = owner_api.post(f"/api/v1/posts/{target.post_id}/publish-now/")

    assert answer.status_code == 409
    message = answer.json()["error"]["message"]
    assert "can no longer be published now" in message and "already published" in message and "schedul" not in message
    assert len(mastodon_fake.posts) == 1
