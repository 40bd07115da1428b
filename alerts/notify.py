"""Sending an alert: email to staff (Django's mail settings; ALERT_EMAILS overrides the recipients) and
a JSON POST to ALERT_WEBHOOK_URL through config/safe_http (public addresses only unless the operator
allows one in OUTBOUND_ALLOWED_PRIVATE_ADDRESSES; redirects are not followed).

`send()` returns the list of channel errors ([] when every configured channel took it); the caller
counts the alert as sent when at least one channel did, or when none is configured (the admin shows it).
"""

import json
import logging
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail

from config import safe_http

logger = logging.getLogger(__name__)


def staff_recipients():
    """ALERT_EMAILS, else the email addresses of active staff users (reads the database)."""
    if settings.ALERT_EMAILS:
        return list(settings.ALERT_EMAILS)
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def payload(*, kind, subject, message, first_seen_at, state="fired"):
    return {"event": f"alert.{state}", "kind": kind, "subject": subject, "message": message, "first_seen_at": first_seen_at.isoformat()}


def send(*, kind, label, subject, message, first_seen_at, recipients):
    """Email `recipients` and POST the webhook. Returns the errors (strings), [] if all went out."""
    errors = []
    if recipients:
        try:
            send_mail(f"[scheduler alert] {label}", f"{message}\n\nFirst seen {first_seen_at:%Y-%m-%d %H:%M:%S} UTC.\n",
                      settings.DEFAULT_FROM_EMAIL, recipients)
        except Exception as exc:  # noqa: BLE001 - a mail server down must not stop the webhook
            logger.warning("alert %s: email failed (%s)", kind, exc.__class__.__name__)
            errors.append(f"email: {exc.__class__.__name__}")
    if settings.ALERT_WEBHOOK_URL:
        body = payload(kind=kind, subject=subject, message=message, first_seen_at=first_seen_at)
        try:
            with safe_http.session() as http:
                response = http.post(settings.ALERT_WEBHOOK_URL, json=body, timeout=settings.ALERT_WEBHOOK_TIMEOUT_SECONDS, allow_redirects=False)
            if not 200 <= response.status_code < 300:
                errors.append(f"webhook: HTTP {response.status_code}")
        except Exception as exc:  # noqa: BLE001 - BlockedAddress, timeouts, refused connections
            logger.warning("alert %s: webhook failed (%s)", kind, exc.__class__.__name__)
            errors.append(f"webhook: {exc.__class__.__name__}")
    return errors


def delivered(errors, *, recipients):
    """Whether an alert counts as sent: some channel took it, or none is configured."""
    channels = bool(recipients) + bool(settings.ALERT_WEBHOOK_URL)
    return len(errors) < channels or channels == 0


# --- alerts the database cannot hold ---------------------------------------------------------
# While the database is down the check keeps what it sent in a small JSON file on this host
# (settings.ALERT_STATE_FILE), with the recipients of the last good check, so it mails once per outage.
def load_state():
    try:
        state = json.loads(Path(settings.ALERT_STATE_FILE).read_text())
    except (OSError, ValueError):
        state = {}
    state.setdefault("open", {})
    state.setdefault("recipients", [])
    return state


def save_state(state):
    path = Path(settings.ALERT_STATE_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(state))
    partial.replace(path)
