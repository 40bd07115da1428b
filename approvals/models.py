"""Approval history and client review links of posts (the workflow is in approvals/services.py).

The workspace's setting itself is `accounts.Workspace.requires_approval`."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApprovalEvent(models.Model):
    """One step of a post's approval history: who (a member, or a reviewer through a link, by the name
    they typed), when, and what they said."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        COMMENTED = "commented", "Commented"
        EDITED_AFTER_APPROVAL = "edited_after_approval", "Edited after approval (sent back for approval)"
        LINK_CREATED = "link_created", "Review link created"
        LINK_REVOKED = "link_revoked", "Review link revoked"

    post = models.ForeignKey("social_media.Post", on_delete=models.CASCADE, related_name="approval_events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    review_link = models.ForeignKey("ReviewLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    reviewer_name = models.CharField(max_length=100, blank=True, help_text="Typed by a reviewer who used a review link.")
    comment = models.TextField(blank=True, max_length=5000)
    scheduled_time = models.DateTimeField(null=True, blank=True, help_text="The post's time when this happened.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["post", "created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.who} on post {self.post_id}"

    @property
    def who(self):
        if self.actor_id:
            return self.actor.username if self.actor else "a deleted user"
        if self.review_link_id or self.reviewer_name:
            return f"{self.reviewer_name or 'a reviewer'} (review link)"
        return "the system"


class ReviewLink(models.Model):
    """A link that lets someone without an account see a post's previews and approve or comment.
    The token in the URL is stored as its SHA-256 only; it works until `expires_at` or `revoked_at`."""

    post = models.ForeignKey("social_media.Post", on_delete=models.CASCADE, related_name="review_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Review link {self.pk} of post {self.post_id}"

    @property
    def status(self):
        if self.revoked_at:
            return "revoked"
        return "expired" if self.expires_at <= timezone.now() else "active"
