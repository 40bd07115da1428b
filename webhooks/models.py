import uuid

from django.db import models

from config.encryption import EncryptedTextField

EVENTS = {
    "post.scheduled": "A post was scheduled.",
    "post.submitted": "A post was submitted for approval (or sent back for approval by an edit).",
    "post.approved": "A post waiting for approval was approved.",
    "post.rejected": "A post waiting for approval was rejected (back to draft, with a comment).",
    "post.published": "Every account of a post published it.",
    "post.partially_published": "A post went out on some accounts and failed on others.",
    "target.published": "A post went out on one account.",
    "target.failed": "A post failed for good on one account.",
    "target.unconfirmed": "A post's outcome on one account is unknown and is being checked.",
    "account.needs_reconnect": "An account's credentials stopped working; it needs reconnecting.",
    "analytics.collected": "Engagement figures of a published post were collected.",
    "webhook.test": "A test event sent from the API or the admin.",
}


class WebhookEndpoint(models.Model):
    """A URL of the workspace's that receives the chosen events, signed with its secret (Standard Webhooks)."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=1000)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, help_text="Event types it receives.")
    secret = EncryptedTextField(help_text="whsec_… (Standard Webhooks); shown once when created.")
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0, help_text="Deliveries given up on since the last success.")
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint: sent after the transaction that caused it commits, retried with
    backoff for WEBHOOK_RETRY_HOURS."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (retrying)"
        GAVE_UP = "gave_up", "Gave up"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=64, unique=True, default="", editable=False)
    event_type = models.CharField(max_length=50)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def save(self, *args, **kwargs):
        if not self.message_id:
            self.message_id = f"msg_{uuid.uuid4().hex}"
        super().save(*args, **kwargs)


class WebhookAttempt(models.Model):
    """Each try of a delivery: when, the HTTP status (or the error), how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries")
    sent_at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sent_at", "id"]
