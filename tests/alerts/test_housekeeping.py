"""Two checks at once (cron on two hosts, or beat's task beside it) and old records."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from alerts.models import Alert, Kind, TokenRefreshLog, WorkerHeartbeat
from alerts.services import check_all
from tests.factories import ConnectedAccountFactory


@pytest.mark.django_db(transaction=True)
def test_two_checks_at_once_open_one_alert_and_send_it_once(alerting):
    ConnectedAccountFactory(needs_reconnect=True, last_error="Revoked.")
    barrier, errors = threading.Barrier(4), []

    def run():
        try:
            barrier.wait()
            check_all()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert Alert.objects.filter(kind=Kind.ACCOUNT_RECONNECT).count() == 1
    assert alerting(Kind.ACCOUNT_RECONNECT) == 1


def test_old_refresh_outcomes_and_heartbeats_are_deleted(alerting):
    old = timezone.now() - timedelta(days=8)
    kept = TokenRefreshLog.objects.create(platform="x", outcome="refreshed")
    gone = TokenRefreshLog.objects.create(platform="x", outcome="failed")
    TokenRefreshLog.objects.filter(id=gone.id).update(created_at=old)
    WorkerHeartbeat.objects.create(hostname="old@host", queues="posting", last_seen_at=old)

    check_all()

    assert list(TokenRefreshLog.objects.values_list("id", flat=True)) == [kept.id]
    assert list(WorkerHeartbeat.objects.values_list("hostname", flat=True)) == ["posting@test"]
