import pytest
from django.core import mail
from django.utils import timezone

from alerts.models import WorkerHeartbeat
from tests.platforms.conftest_linkedin import linkedin_account, linkedin_fake, linkedin_settings  # noqa: F401
from tests.webhooks.receiver import Receiver

OPS = "ops@example.com"


@pytest.fixture(scope="session")
def alert_receiver():
    """The operator's webhook endpoint: a local HTTP server recording what it is sent."""
    receiver = Receiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def alerting(settings, mailoutbox, alert_receiver, tmp_path, db):
    """Alerts mailed to OPS and POSTed to the receiver; a posting worker alive (its heartbeat fresh),
    so only what a test sets up fires. Yields a function counting what was sent of one kind."""
    settings.ALERT_EMAILS = [OPS]
    settings.ALERT_WEBHOOK_URL = f"{alert_receiver.base_url}/hooks/alerts"
    settings.ALERT_STATE_FILE = tmp_path / "alerts-state.json"
    with alert_receiver.lock:
        alert_receiver.requests.clear()
        alert_receiver.answers.clear()
    WorkerHeartbeat.objects.create(hostname="posting@test", queues="default,posting", last_seen_at=timezone.now())

    def sent(kind):
        from alerts.models import Alert

        label = Alert(kind=kind).get_kind_display()
        mails = [m for m in mail.outbox if m.subject == f"[scheduler alert] {label}"]
        assert all(m.to == [OPS] for m in mails)
        hooks = [r for r in alert_receiver.requests if r.json and r.json.get("kind") == kind]
        assert len(mails) == len(hooks), (mails, hooks)
        return len(hooks)

    sent.receiver = alert_receiver
    sent.outbox = lambda: mail.outbox  # (pytest-django's mailoutbox is not the list Django appends to here)
    return sent
