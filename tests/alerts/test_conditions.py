"""Each condition raises an alert that is mailed and POSTed once, not again while it holds, cleared
when it ends, and sent again (a new alert) when it comes back."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

import pytest
from django.utils import timezone

from alerts.models import Alert, Kind, TokenRefreshLog, WorkerHeartbeat
from alerts.services import check_all
from social_media.models import PostTarget, Status
from tests.factories import ConnectedAccountFactory, PostFactory, PostTargetFactory


def a_target(status, **fields):
    post = PostFactory(status=status, scheduled_time=timezone.now() - timedelta(minutes=10))
    return PostTargetFactory(post=post, status=status, **fields)


def set_status(target, status):
    PostTarget.objects.filter(id=target.id).update(status=status)


@dataclass
class Case:
    kind: str
    start: Callable  # makes the condition true; returns what `stop` needs
    stop: Callable
    subject: Callable = lambda state: ""


def _late():
    return a_target(Status.SCHEDULED, next_attempt_at=timezone.now() - timedelta(seconds=121))


def _stuck():
    return a_target(Status.PUBLISHING, claimed_at=timezone.now() - timedelta(seconds=200), heartbeat_at=timezone.now() - timedelta(seconds=91))


def _reconnect():
    return ConnectedAccountFactory(needs_reconnect=True, last_error="The token was revoked.")


def _expiring():
    return ConnectedAccountFactory(refresh_token="", token_expires_at=timezone.now() + timedelta(hours=5))


def _failing_refreshes():
    TokenRefreshLog.objects.bulk_create(
        [TokenRefreshLog(platform="x", outcome="refreshed") for _ in range(8)]
        + [TokenRefreshLog(platform="x", outcome="failed"), TokenRefreshLog(platform="x", outcome="disconnected")])


def _refreshes_recover(_):
    # 2 failed of 20: 10 %, not over it
    TokenRefreshLog.objects.bulk_create([TokenRefreshLog(platform="x", outcome="refreshed") for _ in range(10)])


def _worker_gone():
    WorkerHeartbeat.objects.filter(hostname="posting@test").update(last_seen_at=timezone.now() - timedelta(seconds=121))


def _worker_back(_):
    WorkerHeartbeat.objects.filter(hostname="posting@test").update(last_seen_at=timezone.now())


CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _broker_down(settings):
    saved = settings.CELERY_BROKER_URL
    settings.CELERY_BROKER_URL = CLOSED_PORT_BROKER
    return saved


CASES = {
    "late": Case(Kind.LATE_TARGETS, _late, lambda t: set_status(t, Status.POSTED)),
    "stuck": Case(Kind.STUCK_TARGETS, _stuck, lambda t: set_status(t, Status.POSTED)),
    "unconfirmed": Case(Kind.UNCONFIRMED_TARGETS, lambda: a_target(Status.UNCONFIRMED), lambda t: set_status(t, Status.POSTED)),
    "reconnect": Case(Kind.ACCOUNT_RECONNECT, _reconnect, lambda a: type(a).objects.filter(id=a.id).update(needs_reconnect=False), lambda a: str(a.id)),
    "expiring": Case(Kind.TOKEN_EXPIRING, _expiring, lambda a: type(a).objects.filter(id=a.id).update(token_expires_at=timezone.now() + timedelta(days=60)), lambda a: str(a.id)),
    "refresh_rate": Case(Kind.REFRESH_FAILURE_RATE, _failing_refreshes, _refreshes_recover),
    "worker": Case(Kind.NO_POSTING_WORKER, _worker_gone, _worker_back),
}


def run_cycle(case, alerting, start, stop):
    state = start()
    first = check_all()
    assert [(a.kind, a.subject) for a in first.fired] == [(case.kind, case.subject(state))]
    assert alerting(case.kind) == 1
    body = alerting.receiver.requests[-1].json
    assert body["event"] == "alert.fired" and body["subject"] == case.subject(state) and body["message"] == first.fired[0].message

    second = check_all()
    assert second.fired == [] and second.still_open == 1
    assert alerting(case.kind) == 1  # not sent again while it holds

    stop(state)
    third = check_all()
    assert [a.kind for a in third.cleared] == [case.kind]
    assert Alert.objects.get(id=first.fired[0].id).cleared_at is not None
    assert alerting(case.kind) == 1

    again = start()
    fourth = check_all()
    assert [a.kind for a in fourth.fired] == [case.kind] and fourth.fired[0].id != first.fired[0].id
    assert alerting(case.kind) == 2  # it came back: a new alert, sent again
    return again


@pytest.mark.parametrize("name", CASES)
def test_it_fires_once_clears_and_fires_again(name, alerting):
    case = CASES[name]
    run_cycle(case, alerting, case.start, case.stop)


def test_the_broker_unreachable_fires_once_clears_and_fires_again(alerting, settings):
    case = Case(Kind.BROKER_DOWN, None, None)
    run_cycle(case, alerting, lambda: _broker_down(settings), lambda saved: setattr(settings, "CELERY_BROKER_URL", saved))
    assert "unreachable" in Alert.objects.filter(kind=Kind.BROKER_DOWN).first().message


def test_nothing_fires_on_a_healthy_system(alerting):
    a_target(Status.SCHEDULED, next_attempt_at=timezone.now() - timedelta(seconds=100))  # late, but within 120 s
    a_target(Status.PUBLISHING, claimed_at=timezone.now() - timedelta(seconds=300), heartbeat_at=timezone.now() - timedelta(seconds=5))
    ConnectedAccountFactory(token_expires_at=timezone.now() + timedelta(hours=1))  # has a refresh token: renewed
    ConnectedAccountFactory(refresh_token="", token_expires_at=timezone.now() + timedelta(days=3))  # beyond 24 h
    TokenRefreshLog.objects.bulk_create([TokenRefreshLog(platform="x", outcome="refreshed") for _ in range(9)] + [TokenRefreshLog(platform="x", outcome="failed")])
    old = TokenRefreshLog.objects.create(platform="x", outcome="failed")
    TokenRefreshLog.objects.filter(id=old.id).update(created_at=timezone.now() - timedelta(days=1, minutes=1))

    result = check_all()

    assert result.fired == [] and Alert.objects.count() == 0
    assert alerting.outbox() == [] and alerting.receiver.requests == []


def test_each_account_is_its_own_alert(alerting):
    first, second = _reconnect(), _reconnect()
    result = check_all()
    assert sorted(a.subject for a in result.fired) == sorted([str(first.id), str(second.id)])
    assert alerting(Kind.ACCOUNT_RECONNECT) == 2
    type(first).objects.filter(id=first.id).update(needs_reconnect=False)
    result = check_all()
    assert [a.subject for a in result.cleared] == [str(first.id)] and result.still_open == 1
