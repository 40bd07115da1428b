"""Operator alerts (alerts/services.py raises and clears them), the record of token refresh outcomes
they read, and the heartbeats Celery workers write so a check can tell whether any posting worker lives."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Kind(models.TextChoices):
    LATE_TARGETS = "late_targets", "Targets late"
    STUCK_TARGETS = "stuck_targets", "Targets stuck publishing"
    UNCONFIRMED_TARGETS = "unconfirmed_targets", "Targets unconfirmed"
    ACCOUNT_RECONNECT = "account_reconnect", "Account needs reconnect"
    TOKEN_EXPIRING = "token_expiring", "Token expires and cannot be refreshed"
    REFRESH_FAILURE_RATE = "refresh_failure_rate", "Token refresh failure rate"
    NO_POSTING_WORKER = "no_posting_worker", "No posting worker alive"
    BROKER_DOWN = "broker_down", "Broker unreachable"
    DATABASE_DOWN = "database_down", "Database unreachable"


class Alert(models.Model):
    """One occurrence of a condition for one subject (an account id, or "" for the whole system), from
    the check that first saw it until the check that no longer does. Sent once (notified_at); one that
    clears and comes back is a new row."""

    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    subject = models.CharField(max_length=100, blank=True, help_text="What it is about, e.g. an account id; empty for the whole system.")
    message = models.TextField()
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    notified_at = models.DateTimeField(null=True, blank=True)
    notify_error = models.TextField(blank=True, help_text="Why the last attempt to send it failed, if it did.")

    class Meta:
        ordering = ["-first_seen_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject"], condition=Q(cleared_at__isnull=True), name="alerts_one_open_per_subject"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.message}"

    @property
    def is_open(self):
        return self.cleared_at is None


class TokenRefreshLog(models.Model):
    """One attempt to refresh an account's tokens (social_media/services/tokens.py)."""

    class Outcome(models.TextChoices):
        REFRESHED = "refreshed", "Refreshed"
        FAILED = "failed", "Failed (will retry)"
        DISCONNECTED = "disconnected", "Refused (needs reconnect)"

    account = models.ForeignKey("social_media.ConnectedAccount", null=True, on_delete=models.SET_NULL, related_name="+")
    platform = models.CharField(max_length=20)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)


class WorkerHeartbeat(models.Model):
    """A running Celery worker and the queues it consumes, refreshed every ALERT_WORKER_HEARTBEAT_SECONDS."""

    hostname = models.CharField(max_length=255, unique=True)
    queues = models.CharField(max_length=255)
    last_seen_at = models.DateTimeField(db_index=True)
