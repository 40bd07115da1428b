"""A post's first comment and, per published target, its delivery to the network.

`FirstComment` is what the author wrote (one per post); `FirstCommentDelivery` is created once a
target is posted (first_comments.services.delivery_create_for) and carries the comment through
pending -> sending -> posted / failed / unconfirmed, like the engine carries a target."""

import uuid

from django.core.validators import MaxValueValidator
from django.db import models

MAX_DELAY_SECONDS = 86_400
MAX_CONTENT = 10_000  # the longest any network takes (Reddit); each network's own limit is checked per target


class FirstComment(models.Model):
    post = models.OneToOneField("social_media.Post", on_delete=models.CASCADE, related_name="first_comment")
    content = models.TextField(max_length=MAX_CONTENT)
    delay_seconds = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(MAX_DELAY_SECONDS)],
                                                help_text="Seconds after the post is published.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"First comment of post {self.post_id}"


class FirstCommentDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        POSTED = "posted", "Posted"
        FAILED = "failed", "Failed"
        UNCONFIRMED = "unconfirmed", "Unconfirmed (may or may not be on the network)"

    target = models.OneToOneField("social_media.PostTarget", on_delete=models.CASCADE, related_name="first_comment_delivery")
    # The text when the target was posted: a later edit of the post cannot change a comment under way.
    content = models.TextField(max_length=MAX_CONTENT)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField()
    # Sent once as the network's idempotency key (Mastodon) or to derive a record key (Bluesky).
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    platform_comment_id = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=500, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    last_error_class = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "first comment deliveries"
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self):
        return f"First comment of target {self.target_id}: {self.status}"
