"""The periodic check: each condition is a function returning what is true now ({subject: message});
check_all() turns that into Alert rows, sends each new one once and clears the ones that ended.

An alert is sent when it is first seen (again on later checks only if no channel took it, until it is
acknowledged). It stays open, unsent again, while the condition holds, acknowledged or not; the first
check that no longer sees it clears it, and a later occurrence is a new alert, sent again.

The database being unreachable cannot be an Alert row while it lasts: check_all() catches the error,
sends the alert from what the last good check left in settings.ALERT_STATE_FILE (the recipients) and
notes there that it did; the first check that reaches the database again records the outage as a
cleared Alert row.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from . import notify
from .models import Alert, Kind, TokenRefreshLog, WorkerHeartbeat

logger = logging.getLogger(__name__)

DAY = timedelta(days=1)
POSTING_QUEUE = "posting"
KEEP_RECORDS = timedelta(days=7)  # refresh outcomes and heartbeats older than this are deleted
LOCK_KEY = 0x616C657274  # PostgreSQL advisory lock: checks running at once (cron on two hosts) take turns


@dataclass
class CheckResult:
    fired: list = field(default_factory=list)  # Alert rows first seen by this check (unsaved for the database's)
    cleared: list = field(default_factory=list)
    still_open: int = 0

    def summary(self):
        return f"{len(self.fired)} fired, {len(self.cleared)} cleared, {self.still_open} still open"


# --- the conditions ---------------------------------------------------------------------------
def late_targets(*, now):
    """Targets waiting to publish whose time passed more than ALERT_LATE_SECONDS ago."""
    from social_media.models import PostTarget, Status

    late = PostTarget.objects.filter(status__in=[Status.SCHEDULED, Status.QUEUED], next_attempt_at__lt=now - timedelta(seconds=settings.ALERT_LATE_SECONDS))
    count = late.count()
    if not count:
        return {}
    oldest = late.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    return {"": f"{count} target(s) are more than {settings.ALERT_LATE_SECONDS} s past their time and not published; the oldest was due {oldest:%Y-%m-%d %H:%M:%S} UTC."}


def stuck_targets(*, now):
    """Targets `publishing` without a worker heartbeat for PUBLISH_STUCK_AFTER_SECONDS."""
    from social_media.models import PostTarget, Status

    stale = now - timedelta(seconds=settings.PUBLISH_STUCK_AFTER_SECONDS)
    stuck = PostTarget.objects.filter(Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, claimed_at__lt=stale), status=Status.PUBLISHING)
    count = stuck.count()
    if not count:
        return {}
    return {"": f"{count} target(s) have been publishing for more than {settings.PUBLISH_STUCK_AFTER_SECONDS} s without a worker heartbeat."}


def unconfirmed_targets(*, now):
    """Targets whose outcome is unknown and that a person must check on the network."""
    from social_media.models import PostTarget, Status

    count = PostTarget.objects.filter(status=Status.UNCONFIRMED).count()
    if not count:
        return {}
    return {"": f"{count} target(s) are unconfirmed: check on the network whether they went out, then resolve or retry them (Problems page)."}


def accounts_needing_reconnect(*, now):
    from social_media.models import ConnectedAccount

    accounts = ConnectedAccount.objects.filter(is_active=True, needs_reconnect=True).only("id", "platform", "platform_username", "last_error")
    return {str(a.id): f"{a.get_platform_display()} @{a.platform_username} needs to be reconnected: {a.last_error}".strip() for a in accounts}


def tokens_expiring_unrefreshable(*, now):
    """Active accounts whose access token expires within 24 h and that their network's adapter cannot
    refresh (no refresh token, e.g. LinkedIn apps without programmatic refresh)."""
    from social_media.models import ConnectedAccount
    from social_media.platforms import PlatformFactory

    found = {}
    soon = ConnectedAccount.objects.filter(is_active=True, needs_reconnect=False, token_expires_at__lte=now + DAY)
    for account in soon:
        if PlatformFactory.get_platform(account).token_needs_refresh(DAY.total_seconds()):
            continue  # the refresh job (or the next publish) renews it
        found[str(account.id)] = (f"Access to {account.get_platform_display()} @{account.platform_username} expires "
                                  f"{account.token_expires_at:%Y-%m-%d %H:%M} UTC and cannot be renewed automatically; reconnect it before then.")
    return found


def refresh_failure_rate(*, now):
    """More than ALERT_REFRESH_FAILURE_PERCENT % of the token refreshes of the last 24 h failed."""
    recent = TokenRefreshLog.objects.filter(created_at__gte=now - DAY)
    total = recent.count()
    failed = recent.exclude(outcome=TokenRefreshLog.Outcome.REFRESHED).count()
    if not total or failed * 100 <= total * settings.ALERT_REFRESH_FAILURE_PERCENT:
        return {}
    return {"": f"{failed} of {total} token refreshes in the last 24 h failed ({failed * 100 / total:.0f} %, threshold {settings.ALERT_REFRESH_FAILURE_PERCENT} %)."}


def no_posting_worker(*, now):
    """No worker consuming the posting queue wrote its heartbeat within ALERT_WORKER_STALE_SECONDS."""
    fresh = WorkerHeartbeat.objects.filter(last_seen_at__gte=now - timedelta(seconds=settings.ALERT_WORKER_STALE_SECONDS))
    if any(POSTING_QUEUE in row.queues.split(",") for row in fresh):
        return {}
    return {"": f"No Celery worker consuming the '{POSTING_QUEUE}' queue has been seen for {settings.ALERT_WORKER_STALE_SECONDS} s: nothing is being published."}


def broker_unreachable(*, now):
    from config.health import CHECKS

    try:
        CHECKS["broker"]()
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the alert
        return {"": f"The Celery broker is unreachable ({exc.__class__.__name__}): nothing is dispatched or published."}
    return {}


CONDITIONS = {
    Kind.LATE_TARGETS: late_targets,
    Kind.STUCK_TARGETS: stuck_targets,
    Kind.UNCONFIRMED_TARGETS: unconfirmed_targets,
    Kind.ACCOUNT_RECONNECT: accounts_needing_reconnect,
    Kind.TOKEN_EXPIRING: tokens_expiring_unrefreshable,
    Kind.REFRESH_FAILURE_RATE: refresh_failure_rate,
    Kind.NO_POSTING_WORKER: no_posting_worker,
    Kind.BROKER_DOWN: broker_unreachable,
}


# --- turning conditions into alerts -----------------------------------------------------------
def check_all(*, now=None):
    """Run every condition, open/update/clear Alert rows and send the new ones. Returns a CheckResult."""
    now = now or timezone.now()
    try:
        connection.ensure_connection()
        found = {kind: condition(now=now) for kind, condition in CONDITIONS.items()}
        result = _reconcile(found, now=now)
        _database_recovered(now=now, result=result)
        prune_records(now=now)
        recipients = notify.staff_recipients()
        _remember_recipients(recipients)  # for the alert sent while the database is down
        _send_pending(recipients=recipients, now=now)
        return result
    except (OperationalError, InterfaceError) as exc:  # cannot reach it (not a bad query, which should raise)
        logger.error("alerts: the database is unreachable (%s)", exc.__class__.__name__)
        _close_broken_connection()
        return _database_down(now=now, exc=exc)


def _reconcile(found, *, now):
    result = CheckResult()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        open_alerts = {(a.kind, a.subject): a for a in Alert.objects.select_for_update().filter(cleared_at__isnull=True).exclude(kind=Kind.DATABASE_DOWN)}
        for kind, subjects in found.items():
            for subject, message in subjects.items():
                alert = open_alerts.pop((kind, subject), None)
                if alert is None:
                    result.fired.append(Alert.objects.create(kind=kind, subject=subject, message=message, first_seen_at=now, last_seen_at=now))
                else:
                    Alert.objects.filter(id=alert.id).update(message=message, last_seen_at=now)
                    result.still_open += 1
        for alert in open_alerts.values():
            alert.cleared_at = now
            alert.save(update_fields=["cleared_at"])
            result.cleared.append(alert)
    return result


def _send_pending(*, recipients, now):
    """Send every open, unacknowledged alert not yet sent (the new ones, and any no channel took before)."""
    pending = Alert.objects.filter(cleared_at__isnull=True, notified_at__isnull=True, acknowledged_at__isnull=True)
    for alert in pending:
        # Claim it first (compare-and-set), so two checks at once never both send it.
        if not Alert.objects.filter(id=alert.id, notified_at__isnull=True, acknowledged_at__isnull=True).update(notified_at=now):
            continue
        errors = notify.send(kind=alert.kind, label=alert.get_kind_display(), subject=alert.subject, message=alert.message,
                             first_seen_at=alert.first_seen_at, recipients=recipients)
        sent = notify.delivered(errors, recipients=recipients)
        Alert.objects.filter(id=alert.id).update(notified_at=now if sent else None, notify_error="; ".join(errors))


def _remember_recipients(recipients):
    state = notify.load_state()
    if state["recipients"] != recipients:
        state["recipients"] = recipients
        notify.save_state(state)


def _database_down(*, now, exc):
    state = notify.load_state()
    alert = Alert(kind=Kind.DATABASE_DOWN, subject="", first_seen_at=now, last_seen_at=now,
                  message=f"The database is unreachable ({exc.__class__.__name__}): the web app, the API and publishing are down.")
    known = state["open"].get(Kind.DATABASE_DOWN)
    if known and known.get("notified_at"):
        return CheckResult(still_open=1)
    recipients = list(settings.ALERT_EMAILS) or state["recipients"]
    errors = notify.send(kind=alert.kind, label=alert.get_kind_display(), subject="", message=alert.message,
                         first_seen_at=datetime.fromisoformat(known["first_seen_at"]) if known else now, recipients=recipients)
    sent = notify.delivered(errors, recipients=recipients)
    state["open"][Kind.DATABASE_DOWN] = {
        "first_seen_at": known["first_seen_at"] if known else now.isoformat(),
        "message": alert.message,
        "notified_at": now.isoformat() if sent else None,
        "notify_error": "; ".join(errors),
    }
    notify.save_state(state)
    alert.notified_at = now if sent else None
    return CheckResult(fired=[alert]) if not known else CheckResult(still_open=1)


def _database_recovered(*, now, result):
    """The database answers again: keep the outage the state file noted as a cleared Alert row."""
    state = notify.load_state()
    outage = state["open"].pop(Kind.DATABASE_DOWN, None)
    if outage is None:
        return
    notified = outage.get("notified_at")
    result.cleared.append(Alert.objects.create(
        kind=Kind.DATABASE_DOWN, subject="", message=outage["message"], first_seen_at=datetime.fromisoformat(outage["first_seen_at"]),
        last_seen_at=now, cleared_at=now, notified_at=datetime.fromisoformat(notified) if notified else None,
        notify_error=outage.get("notify_error", ""),
    ))
    notify.save_state(state)


def prune_records(*, now):
    """Delete refresh outcomes and worker heartbeats older than KEEP_RECORDS (alerts themselves stay)."""
    TokenRefreshLog.objects.filter(created_at__lt=now - KEEP_RECORDS).delete()
    WorkerHeartbeat.objects.filter(last_seen_at__lt=now - KEEP_RECORDS).delete()


def _close_broken_connection():
    try:
        connection.close()
    except DatabaseError:
        pass


def alerts_acknowledge(*, alerts, user, now=None):
    """Acknowledge open alerts: they are not sent (again) while they stay true. Returns how many."""
    now = now or timezone.now()
    return Alert.objects.filter(id__in=[a.id for a in alerts], cleared_at__isnull=True, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=user)


# --- records the conditions read ---------------------------------------------------------------
def token_refresh_record(*, account, outcome):
    TokenRefreshLog.objects.create(account_id=account.id, platform=account.platform, outcome=outcome)


def worker_heartbeat(*, hostname, queues, now=None):
    WorkerHeartbeat.objects.update_or_create(hostname=hostname, defaults={"queues": ",".join(sorted(queues)), "last_seen_at": now or timezone.now()})
