"""Acknowledging, channels that fail, the admin list and the command."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from alerts.models import Alert, Kind
from alerts.services import check_all
from tests.factories import ConnectedAccountFactory, UserFactory


def a_user(*, is_staff=False, is_superuser=False, is_active=True, **fields):
    user = UserFactory(**fields)
    user.is_staff, user.is_superuser, user.is_active = is_staff, is_superuser, is_active
    user.save()
    return user


def reconnect_needed():
    return ConnectedAccountFactory(needs_reconnect=True, last_error="Revoked.")


def test_an_alert_no_channel_took_is_sent_again_on_the_next_check(alerting):
    from django.core import mail

    alerting.receiver.answer(503)
    reconnect_needed()
    with pytest.MonkeyPatch.context() as mp:  # the mail server refuses: the network boundary of SMTP
        mp.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", _refuse)
        check_all()
    alert = Alert.objects.get()
    assert alert.notified_at is None and "email: ConnectionRefusedError" in alert.notify_error and "webhook: HTTP 503" in alert.notify_error

    check_all()

    alert.refresh_from_db()
    assert alert.notified_at is not None and alert.notify_error == ""
    assert len(mail.outbox) == 1  # the refused mail never arrived; the retry did
    assert [r.json["kind"] for r in alerting.receiver.requests] == [Kind.ACCOUNT_RECONNECT] * 2  # refused (503), then taken


def _refuse(self, messages):
    raise ConnectionRefusedError("SMTP server refused")


def test_an_acknowledged_alert_is_not_sent_again_and_stays_open_while_true(alerting, settings):
    settings.ALERT_EMAILS = []  # no staff with an email, and the webhook down: nothing takes it
    alerting.receiver.answer(500)
    account = reconnect_needed()
    check_all()
    alert = Alert.objects.get()
    assert alert.notified_at is None
    staff = a_user(is_staff=True)

    from alerts.services import alerts_acknowledge

    assert alerts_acknowledge(alerts=[alert], user=staff) == 1
    check_all()
    check_all()

    alert.refresh_from_db()
    assert alert.cleared_at is None and alert.acknowledged_by == staff and alert.notified_at is None
    assert len(alerting.receiver.requests) == 1  # only the first, refused attempt

    type(account).objects.filter(id=account.id).update(needs_reconnect=False)
    check_all()
    type(account).objects.filter(id=account.id).update(needs_reconnect=True)
    result = check_all()
    assert [a.acknowledged_at for a in result.fired] == [None]  # it came back: a new, unacknowledged alert
    assert len(alerting.receiver.requests) == 2


def test_mail_goes_to_active_staff_when_alert_emails_is_unset(alerting, settings):
    from django.core import mail

    settings.ALERT_EMAILS = []
    a_user(is_staff=True, email="boss@example.com")
    a_user(is_staff=True, email="gone@example.com", is_active=False)
    a_user(is_staff=False, email="member@example.com")
    reconnect_needed()

    check_all()

    assert [m.to for m in mail.outbox] == [["boss@example.com"]]


def test_the_webhook_is_not_redirected(alerting):
    alerting.receiver.answer(302, {"Location": "http://169.254.169.254/latest/meta-data/"})
    reconnect_needed()

    check_all()

    assert len(alerting.receiver.requests) == 1
    assert "webhook: HTTP 302" in Alert.objects.get().notify_error


def test_the_admin_lists_filters_and_acknowledges(alerting, client):
    staff = a_user(is_staff=True, is_superuser=True)
    client.force_login(staff)
    reconnect_needed()
    check_all()
    old = Alert.objects.create(kind=Kind.LATE_TARGETS, message="old lateness", first_seen_at=timezone.now() - timedelta(days=1),
                               last_seen_at=timezone.now() - timedelta(days=1), cleared_at=timezone.now() - timedelta(hours=20))
    open_alert = Alert.objects.get(kind=Kind.ACCOUNT_RECONNECT)

    listing = client.get("/admin/alerts/alert/?open=yes").content.decode()
    assert "Revoked." in listing and "old lateness" not in listing
    assert "old lateness" in client.get(f"/admin/alerts/alert/?kind__exact={Kind.LATE_TARGETS}").content.decode()

    answer = client.post("/admin/alerts/alert/", {"action": "acknowledge", "_selected_action": [open_alert.id, old.id]}, follow=True)

    assert "1 alert(s) acknowledged." in answer.content.decode()
    open_alert.refresh_from_db()
    old.refresh_from_db()
    assert open_alert.acknowledged_by == staff and old.acknowledged_at is None  # a cleared alert needs no acknowledging


def test_the_command_runs_the_check_and_says_what_it_did(alerting, capsys):
    account = reconnect_needed()

    call_command("check_alerts")

    out = capsys.readouterr().out
    assert f"fired: Account needs reconnect {account.id}: " in out and out.strip().endswith("1 fired, 0 cleared, 0 still open")
    assert alerting(Kind.ACCOUNT_RECONNECT) == 1


def test_the_task_runs_the_check(alerting):
    from alerts.tasks import check_alerts_task

    reconnect_needed()
    assert check_alerts_task.apply().get() == "1 fired, 0 cleared, 0 still open"
