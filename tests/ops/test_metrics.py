"""/metrics: off unless enabled, only for the token or an allowed address, and it shows a real run's
publish lateness, outcomes, the engine's gauges and API latency."""

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from social_media.models import Status
from social_media.services.publishing import target_publish
from tests.engine.conftest import due_target
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory

pytestmark = pytest.mark.django_db


def _samples(response):
    families = {f.name: f for f in text_string_to_metric_families(response.content.decode())}
    return families


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_ENABLED = True
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    settings.METRICS_ALLOWED_IPS = []
    return settings


def test_metrics_are_off_by_default(client, settings):
    settings.METRICS_ENABLED = False
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404


def test_only_the_token_or_an_allowed_address_reads_them(client, metrics_on):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token").status_code == 200
    metrics_on.METRICS_ALLOWED_IPS = ["127.0.0.1"]
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.5").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_real_publish_shows_in_lateness_outcomes_and_gauges(client, metrics_on, mastodon_account, mastodon_fake):
    before = _samples(client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token"))

    def count(families, name, **labels):
        family = families.get(name)
        return sum(s.value for s in (family.samples if family else []) if all(s.labels.get(k) == v for k, v in labels.items()))

    target = due_target(mastodon_account, "Measured", at=timezone.now() - timedelta(seconds=2))
    assert target_publish(target_id=target.id).status == Status.POSTED
    late = PostFactory(workspace=mastodon_account.workspace, status=Status.SCHEDULED)
    PostTargetFactory(post=late, account=mastodon_account, status=Status.SCHEDULED, next_attempt_at=timezone.now() - timedelta(minutes=3), dispatched_at=None)
    failed = PostFactory(workspace=mastodon_account.workspace, status=Status.FAILED)
    PostTargetFactory(post=failed, account=mastodon_account, status=Status.FAILED)
    ConnectedAccountFactory(workspace=mastodon_account.workspace, platform="bluesky", needs_reconnect=True)

    after = _samples(client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token"))

    assert count(after, "scheduler_publish_lateness_seconds", network="mastodon") > count(before, "scheduler_publish_lateness_seconds", network="mastodon")
    lateness = {s.labels["le"]: s.value - count(before, "scheduler_publish_lateness_seconds", network="mastodon", le=s.labels["le"])
                for s in after["scheduler_publish_lateness_seconds"].samples if s.name.endswith("_bucket") and s.labels.get("network") == "mastodon"}
    assert lateness["1.0"] == 0 and lateness["5.0"] == 1  # due 2 s before the call started
    assert count(after, "scheduler_publish_outcomes", network="mastodon", outcome="success") - count(before, "scheduler_publish_outcomes", network="mastodon", outcome="success") == 1
    assert count(after, "scheduler_targets_due_undispatched", network="mastodon") == 1
    assert count(after, "scheduler_targets", network="mastodon", status="failed") == 1
    assert count(after, "scheduler_accounts_needing_reconnect", network="bluesky") == 1
    assert "scheduler_queue_depth" in after


def test_api_latency_is_recorded_per_endpoint_pattern(client, auth_api, metrics_on):
    auth_api.get("/api/v1/posts/")
    auth_api.get("/api/v1/posts/999999/")
    families = _samples(client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token"))
    labels = {(s.labels["endpoint"], s.labels["status"]) for s in families["scheduler_api_request_seconds"].samples if s.name.endswith("_count")}
    assert ("post-list", "200") in labels and ("post-detail", "404") in labels
    assert not any("999999" in endpoint for endpoint, _ in labels)  # patterns, never raw paths
