"""Webhooks out: endpoints through the API, signed deliveries a receiver can verify, retries with
backoff, redirects refused, endpoints disabled after repeated failures, events raised by the engine."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from accounts.models import Membership
from social_media.models import Status
from social_media.services.posts import post_schedule
from social_media.services.publishing import target_publish
from tests.engine.conftest import due_target
from tests.factories import ConnectedAccountFactory, MembershipFactory, PostFactory, PostTargetFactory, UserFactory, WorkspaceFactory
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint

from .receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def receiver_server():
    server = Receiver()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def receiver(receiver_server):
    receiver_server.requests.clear()
    receiver_server.answers.clear()
    return receiver_server


def _endpoint(auth_api, receiver, events=("target.published", "post.published", "post.scheduled"), path="/hook"):
    response = auth_api.post("/api/v1/webhooks/", {"url": receiver.base_url + path, "events": list(events)}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _deliver_all():
    statuses = []
    for delivery in WebhookDelivery.objects.order_by("id"):
        statuses.append(services.deliver(delivery_id=delivery.pk))
    return statuses


def test_an_endpoint_is_created_with_its_secret_shown_once(auth_api, receiver):
    created = _endpoint(auth_api, receiver)
    assert created["secret"].startswith("whsec_") and created["is_active"] is True
    listed = auth_api.get("/api/v1/webhooks/").json()
    assert [e["id"] for e in listed] == [created["id"]] and "secret" not in listed[0]
    stored = WebhookEndpoint.objects.get()
    assert stored.secret == created["secret"]
    from django.db import connection

    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute("SELECT secret FROM webhooks_webhookendpoint WHERE id = %s", [stored.pk])
        assert created["secret"] not in cursor.fetchone()[0]


def test_bad_endpoints_are_field_errors(auth_api):
    cases = [
        ({"url": "http://169.254.169.254/latest/meta-data/", "events": ["post.published"]}, "url"),
        ({"url": "http://10.1.2.3/hook", "events": ["post.published"]}, "url"),
        ({"url": "not a url", "events": ["post.published"]}, "url"),
        ({"url": "https://hooks.example.com/x", "events": ["post.exploded"]}, "events"),
        ({"url": "https://hooks.example.com/x", "events": []}, "events"),
    ]
    for body, field in cases:
        response = auth_api.post("/api/v1/webhooks/", body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()["error"]["fields"], (body, response.json())
    assert not WebhookEndpoint.objects.exists()


def test_only_admins_manage_webhooks_and_other_workspaces_are_not_found(auth_api, workspace, receiver):
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    created = _endpoint(auth_api, receiver)
    editor = UserFactory()
    MembershipFactory(user=editor, workspace=workspace, role=Membership.Role.EDITOR)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(editor).access_token}", HTTP_X_WORKSPACE=str(workspace.pk))
    assert client.get("/api/v1/webhooks/").status_code == 403
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(UserFactory()).access_token}")
    assert stranger.get(f"/api/v1/webhooks/{created['id']}/").status_code == 404
    assert stranger.delete(f"/api/v1/webhooks/{created['id']}/").status_code == 404
    for bad in ("abc", "1.5", "9" * 30, "-1"):
        assert auth_api.get(f"/api/v1/webhooks/{bad}/").status_code == 404
        assert auth_api.post(f"/api/v1/webhooks/{bad}/test/").status_code == 404


def test_a_delivery_is_signed_and_verifies_with_the_secret(auth_api, receiver, django_capture_on_commit_callbacks):
    created = _endpoint(auth_api, receiver)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = auth_api.post(f"/api/v1/webhooks/{created['id']}/test/")
    assert response.status_code == 202 and callbacks  # handed to the queue only after the commit

    assert _deliver_all() == ["delivered"]

    (request,) = receiver.requests
    body = request.json
    raw = json.dumps(body, separators=(",", ":"))
    headers = {k: request.headers[k] for k in ("webhook-id", "webhook-timestamp", "webhook-signature")}
    assert Webhook(created["secret"]).verify(raw, headers)["type"] == "webhook.test"
    with pytest.raises(Exception):
        Webhook(services.new_secret()).verify(raw, headers)  # another secret does not verify
    delivery = WebhookDelivery.objects.get()
    assert headers["webhook-id"] == delivery.message_id and delivery.last_status_code == 200


def test_a_failed_delivery_is_retried_with_backoff_and_the_log_shows_each_try(auth_api, receiver):
    created = _endpoint(auth_api, receiver)
    receiver.answer(500)
    services.emit_test(endpoint=WebhookEndpoint.objects.get())

    assert _deliver_all() == ["failed"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.next_attempt_at >= delivery.created_at + timedelta(seconds=services.RETRY_SCHEDULE[0])
    assert services.deliver(delivery_id=delivery.pk) is None  # not due yet: nothing sent
    assert len(receiver.requests) == 1

    with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
        assert services.deliver(delivery_id=delivery.pk) == "delivered"
    assert len(receiver.requests) == 2
    log = auth_api.get(f"/api/v1/webhooks/{created['id']}/deliveries/").json()
    assert [t["status_code"] for t in log[0]["tries"]] == [500, 200] and log[0]["status"] == "delivered"
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]  # same message id


def test_a_redirect_is_not_followed(auth_api, receiver):
    _endpoint(auth_api, receiver)
    receiver.answer(302, {"Location": receiver.base_url + "/elsewhere"})
    services.emit_test(endpoint=WebhookEndpoint.objects.get())
    assert _deliver_all() == ["failed"]
    assert [r.path for r in receiver.requests] == ["/hook"]
    assert "redirect" in WebhookDelivery.objects.get().last_error


def test_an_endpoint_is_disabled_after_deliveries_keep_failing_and_its_owner_is_told(auth_api, receiver, settings, mailoutbox, user):
    settings.WEBHOOK_DISABLE_AFTER = 2
    _endpoint(auth_api, receiver)
    endpoint = WebhookEndpoint.objects.get()
    for _ in range(2):
        services.emit_test(endpoint=endpoint)
    WebhookDelivery.objects.update(attempts=len(services.RETRY_SCHEDULE))  # their last try
    for _ in range(2):
        receiver.answer(503)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda fn, using=None, robust=False: fn())
        assert _deliver_all() == ["gave_up", "gave_up"]
    endpoint.refresh_from_db()
    assert endpoint.is_active is False and "2 deliveries in a row" in endpoint.disabled_reason
    assert mailoutbox and user.email in mailoutbox[0].to and endpoint.url in mailoutbox[0].body
    services.emit(workspace_id=endpoint.workspace_id, event_type="post.published", data={})
    assert WebhookDelivery.objects.count() == 2  # a disabled endpoint gets no new events


@pytest.mark.django_db(transaction=True)
def test_the_engine_raises_scheduled_published_events(mastodon_account, mastodon_fake, receiver):
    endpoint = WebhookEndpoint.objects.create(
        workspace=mastodon_account.workspace, url=receiver.base_url + "/hook", secret=services.new_secret(),
        events=["post.scheduled", "target.published", "post.published", "target.failed"],
    )
    post = PostFactory(workspace=mastodon_account.workspace, content="Hello webhooks")
    PostTargetFactory(post=post, account=mastodon_account, status=Status.DRAFT)
    post_schedule(post=post, at=timezone.now() + timedelta(hours=1))
    target = due_target(mastodon_account, "Out it goes")

    assert target_publish(target_id=target.id).status == Status.POSTED

    events = {d.event_type: d.payload for d in WebhookDelivery.objects.filter(endpoint=endpoint)}
    assert set(events) == {"post.scheduled", "target.published", "post.published"}
    assert events["post.scheduled"]["data"]["post_id"] == post.pk
    published = events["target.published"]["data"]
    target.refresh_from_db()
    assert (published["target_id"], published["platform_post_id"], published["url"]) == (target.pk, target.platform_post_id, target.platform_post_url)
    assert _deliver_all() == ["delivered"] * 3
    assert sorted(r.json["type"] for r in receiver.requests) == ["post.published", "post.scheduled", "target.published"]


@pytest.mark.django_db(transaction=True)
def test_no_endpoint_costs_the_engine_one_query(mastodon_account, mastodon_fake, django_assert_max_num_queries):
    from webhooks.events import targets_settled

    target = due_target(mastodon_account)
    target_publish(target_id=target.id)
    with django_assert_max_num_queries(2):
        targets_settled([target.id])
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_collected_figures_are_an_event(mastodon_account, mastodon_fake, receiver):
    from analytics.collectors import collect_target_metrics

    WebhookEndpoint.objects.create(workspace=mastodon_account.workspace, url=receiver.base_url + "/hook",
                                   secret=services.new_secret(), events=["analytics.collected"])
    target = due_target(mastodon_account, "Counted")
    target_publish(target_id=target.id)
    analytics = collect_target_metrics(target_id=target.id)

    (delivery,) = WebhookDelivery.objects.filter(event_type="analytics.collected")
    data = delivery.payload["data"]
    assert (data["target_id"], data["post_id"]) == (target.id, target.post_id)
    assert data["figures"]["likes"] == analytics.likes and set(data["figures"]) >= {"likes", "reposts", "replies", "impressions"}
