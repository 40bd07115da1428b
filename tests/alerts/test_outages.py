"""The database down (a check in another process pointed at a PostgreSQL port nobody listens on), a
real Celery worker's heartbeat, and token refresh outcomes recorded by the real refresh."""

import os
import socket
import subprocess
import sys
import time

import pytest
from django.core import mail
from django.utils import timezone

from alerts.models import Alert, Kind, TokenRefreshLog, WorkerHeartbeat
from alerts.services import check_all
from social_media.platforms.base import AccountDisconnected
from social_media.services.tokens import account_refresh_token
from tests.engine.processes import ROOT, celery_processes, wait_until, worker_env
from tests.factories import UserFactory
from tests.platforms.conftest_linkedin import make_linkedin_account

CHECK_WITH_MAIL_TO_FILES = """
import os, django
django.setup()
from django.core.management import call_command
from django.test.utils import override_settings
with override_settings(EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=os.environ["MAIL_DIR"]):
    call_command("check_alerts")
"""


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def staff(email):
    user = UserFactory(email=email)
    user.is_staff = True
    user.save()
    return user


def check_without_database(settings, mail_dir):
    """`manage.py check_alerts` in a process whose DATABASE_URL is a PostgreSQL port with nothing behind it."""
    env = worker_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/scheduler", MAIL_DIR=mail_dir,
        ALERT_STATE_FILE=settings.ALERT_STATE_FILE, ALERT_WEBHOOK_URL=settings.ALERT_WEBHOOK_URL,
    )
    env.pop("ALERT_EMAILS", None)
    done = subprocess.run([sys.executable, "-c", CHECK_WITH_MAIL_TO_FILES], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_database_down_is_mailed_to_the_last_known_staff_once_and_recorded_when_it_is_back(alerting, settings, tmp_path):
    settings.ALERT_EMAILS = []
    staff("boss@example.com")
    check_all()  # a good check: it notes who the staff are
    mail_dir = tmp_path / "mail"

    out = check_without_database(settings, mail_dir)

    assert "fired: Database unreachable" in out and "OperationalError" in out
    [mailed] = list(mail_dir.iterdir())
    assert "To: boss@example.com" in mailed.read_text() and "Subject: [scheduler alert] Database unreachable" in mailed.read_text()
    assert [r.json["kind"] for r in alerting.receiver.requests] == [Kind.DATABASE_DOWN]

    out = check_without_database(settings, mail_dir)  # still down: not sent again

    assert out.strip().endswith("0 fired, 0 cleared, 1 still open")
    assert len(list(mail_dir.iterdir())) == 1 and len(alerting.receiver.requests) == 1
    assert Alert.objects.count() == 0  # nothing could be written meanwhile

    back = check_all()  # the database answers again

    [outage] = back.cleared
    assert outage.kind == Kind.DATABASE_DOWN and outage.cleared_at and outage.notified_at and outage.first_seen_at < outage.cleared_at
    assert Alert.objects.get().id == outage.id
    assert mail.outbox == []  # nothing else was wrong

    check_without_database(settings, mail_dir)  # a new outage is a new alert

    assert len(list(mail_dir.iterdir())) == 2 and len(alerting.receiver.requests) == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.e2e
@pytest.mark.parametrize("broker", ["redis", "filesystem"])  # filesystem: `make run`'s broker
def test_a_real_posting_worker_keeps_the_alert_away_and_its_end_raises_it(alerting, settings, broker, tmp_path):
    extra = {"CELERY_BROKER_URL": "filesystem://", "VAR_DIR": tmp_path / "var"} if broker == "filesystem" else {}
    WorkerHeartbeat.objects.all().delete()  # the fixture's pretend worker
    settings.ALERT_WORKER_STALE_SECONDS = 4

    assert [a.kind for a in check_all().fired] == [Kind.NO_POSTING_WORKER]
    assert alerting(Kind.NO_POSTING_WORKER) == 1

    with celery_processes(beat=False, queues="posting,default", concurrency=2, env=worker_env(ALERT_WORKER_HEARTBEAT_SECONDS=1, **extra)):
        row = wait_until(lambda: WorkerHeartbeat.objects.filter(last_seen_at__gte=timezone.now() - timezone.timedelta(seconds=3)).first(), timeout=60)
        assert row.queues == "default,posting" and row.hostname.startswith("w1@")
        cleared = check_all().cleared
        assert [a.kind for a in cleared] == [Kind.NO_POSTING_WORKER]

    time.sleep(settings.ALERT_WORKER_STALE_SECONDS + 0.5)
    assert [a.kind for a in check_all().fired] == [Kind.NO_POSTING_WORKER]
    assert alerting(Kind.NO_POSTING_WORKER) == 2


@pytest.mark.django_db(transaction=True)
def test_a_worker_for_other_queues_only_is_no_posting_worker(alerting):
    WorkerHeartbeat.objects.all().delete()
    WorkerHeartbeat.objects.create(hostname="media@host", queues="analytics,media", last_seen_at=timezone.now())

    assert [a.kind for a in check_all().fired] == [Kind.NO_POSTING_WORKER]


@pytest.mark.django_db(transaction=True)
def test_refreshes_are_logged_and_a_failure_rate_over_10_percent_alerts(alerting, linkedin_settings, linkedin_fake):
    good = make_linkedin_account(linkedin_fake)
    refused = make_linkedin_account(linkedin_fake)
    linkedin_fake.expire(good.access_token)
    linkedin_fake.revoke(refused.access_token)

    account_refresh_token(account_id=good.id)
    with pytest.raises(AccountDisconnected):
        account_refresh_token(account_id=refused.id)

    assert sorted(TokenRefreshLog.objects.values_list("account_id", "platform", "outcome")) == sorted(
        [(good.id, "linkedin", "refreshed"), (refused.id, "linkedin", "disconnected")])
    fired = {a.kind: a for a in check_all().fired}
    assert set(fired) == {Kind.REFRESH_FAILURE_RATE, Kind.ACCOUNT_RECONNECT}
    assert fired[Kind.REFRESH_FAILURE_RATE].message.startswith("1 of 2 token refreshes in the last 24 h failed (50 %")
