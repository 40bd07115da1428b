import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce

from config.encryption import EncryptedTextField

from .platforms.registry import PLATFORM_CHOICES


# The encrypted columns of ConnectedAccount. Reading a row decrypts them; a list or page that does not
# use them defers them (`without_secrets`), so a wrong ENCRYPTION_KEYS cannot break it.
SECRET_FIELDS = ("access_token", "refresh_token")


def without_secrets(queryset, path=""):
    """`queryset` with the token columns of the ConnectedAccount at `path` ("" for accounts themselves,
    "account" for targets) left unread. Code that does use a token loads it on access."""
    prefix = f"{path}__" if path else ""
    return queryset.defer(*(prefix + name for name in SECRET_FIELDS))


class ConnectedAccount(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="accounts")
    platform = models.CharField(max_length=20, choices=PLATFORM_CHOICES, db_index=True)
    platform_user_id = models.CharField(max_length=255)
    platform_username = models.CharField(max_length=255)
    display_name = models.CharField(max_length=255, blank=True)
    access_token = EncryptedTextField(blank=True, default="")
    refresh_token = EncryptedTextField(blank=True, default="")
    token_expires_at = models.DateTimeField(null=True, blank=True)
    instance_url = models.URLField(blank=True, help_text="Mastodon instance or Bluesky PDS / service URL.")
    # Limits read from the network (e.g. Mastodon max_characters) and other per-account settings.
    platform_settings = models.JSONField(default=dict, blank=True)
    limits_refreshed_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    needs_reconnect = models.BooleanField(default=False)
    last_error = models.TextField(blank=True)
    connected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "platform", "platform_user_id"], name="unique_account_per_workspace")
        ]

    def __str__(self):
        return f"{self.get_platform_display()} @{self.platform_username}"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    # Submitted for approval (approvals app): never dispatched, whatever its time, until approved.
    PENDING_APPROVAL = "pending_approval", "Pending approval"
    SCHEDULED = "scheduled", "Scheduled"
    QUEUED = "queued", "Queued"
    PUBLISHING = "publishing", "Publishing"
    POSTED = "posted", "Posted"
    PARTIALLY_POSTED = "partially_posted", "Partially posted (some targets failed)"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    UNCONFIRMED = "unconfirmed", "Unconfirmed"
    DELETED = "deleted", "Deleted from the network"
    DELETING = "deleting", "Being deleted from the network"


def summarize_status(target_statuses):
    """The post's status, derived from its targets' statuses."""
    statuses = set(target_statuses)
    if not statuses:
        return None
    if len(statuses) == 1:
        return statuses.pop()
    for active in (Status.PUBLISHING, Status.DELETING, Status.QUEUED, Status.SCHEDULED, Status.PENDING_APPROVAL):
        if active in statuses:
            return active
    if Status.UNCONFIRMED in statuses:
        return Status.UNCONFIRMED
    if Status.POSTED in statuses:  # still live somewhere, whatever was deleted elsewhere
        return Status.PARTIALLY_POSTED if Status.FAILED in statuses else Status.POSTED
    if Status.DELETED in statuses:  # unpublished; the other targets never went out
        return Status.DELETED
    if Status.FAILED in statuses:
        return Status.FAILED
    return Status.CANCELLED


class Post(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="posts")
    content = models.TextField(max_length=5000, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    scheduled_time = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    media = models.ManyToManyField("media.MediaFile", through="PostMedia", related_name="posts", blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "scheduled_time"]),
            # The calendar's window (webapp/calendar_feed.py): a post's time on the calendar, drafts aside.
            models.Index(
                models.F("workspace"), Coalesce("posted_at", "scheduled_time"),
                name="post_calendar_idx", condition=~models.Q(status="draft"),
            ),
        ]

    def __str__(self):
        return f"Post {self.pk}: {self.content[:40]}"


class PostMedia(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="post_media")
    media = models.ForeignKey("media.MediaFile", on_delete=models.PROTECT, related_name="post_links")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["post", "media"], name="unique_media_per_post")]
        verbose_name = verbose_name_plural = "post media"


def retries_of(attempts_started):
    """Retries, from the engine's count of attempts started (PostTarget.retry_count)."""
    return max(0, attempts_started - 1)


class PostTarget(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="targets")
    account = models.ForeignKey(ConnectedAccount, on_delete=models.CASCADE, related_name="targets")
    custom_content = models.TextField(blank=True, max_length=5000)
    platform_specific_settings = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    platform_post_id = models.CharField(max_length=255, blank=True)
    platform_post_url = models.URLField(blank=True, max_length=500)
    error_message = models.TextField(blank=True)
    # The engine's attempt counter: attempts started (1 while the first runs). Users see `retries`.
    retry_count = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Engine bookkeeping: when the next attempt is due, when it was handed to a worker, claimed.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Touched every few seconds by the worker while it publishes: a stale one means the worker died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["post", "account"], name="unique_target_per_account")]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"Target {self.pk} ({self.account}) {self.status}"

    @property
    def content(self):
        return self.custom_content or self.post.content

    @property
    def retries(self):
        """Attempts after the first: 0 after one successful attempt (the API's `retry_count`)."""
        return retries_of(self.retry_count)


class ThreadPart(models.Model):
    """A part of a thread after the first (docs/threads.md). Part 0 is the post itself (its content, or a
    target's custom content, and its media); parts 1, 2, ... follow in `position` order, each published
    as a reply to the part before it on every target's network."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="thread_parts")
    position = models.PositiveSmallIntegerField()
    content = models.TextField(max_length=5000, blank=True)
    # MediaFile ids in their order (files of the post's workspace, checked when the part is saved).
    media_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["post_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["post", "position"], name="unique_thread_part_position"),
            models.CheckConstraint(condition=models.Q(position__gte=1), name="thread_part_after_head"),
        ]

    def __str__(self):
        return f"Part {self.position} of post {self.post_id}"


class TargetPartPublication(models.Model):
    """One part of a thread that is on the target's network: written as soon as the network confirmed
    it (or reconciliation found it), so a target taken up again after a crash never sends it twice.
    Position 0 is the thread's head (also the target's platform_post_id)."""

    target = models.ForeignKey("PostTarget", on_delete=models.CASCADE, related_name="part_publications")
    position = models.PositiveSmallIntegerField()
    platform_post_id = models.CharField(max_length=255)
    platform_post_url = models.URLField(blank=True, max_length=500)
    posted_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["target_id", "position"]
        constraints = [models.UniqueConstraint(fields=["target", "position"], name="unique_part_publication")]

    def __str__(self):
        return f"Part {self.position} of target {self.target_id}: {self.platform_post_id}"


class PublishAttempt(models.Model):
    """One network call for a target: a publish, or (unpublish) a delete of what was published."""

    class Kind(models.TextChoices):
        PUBLISH = "publish", "Publish"
        DELETE = "delete", "Delete from the network"

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        RETRY = "retry", "Will retry"
        FAILED = "failed", "Failed"
        UNCONFIRMED = "unconfirmed", "Outcome unknown"

    target = models.ForeignKey(PostTarget, on_delete=models.CASCADE, related_name="attempts")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PUBLISH)
    attempt_number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    error_class = models.CharField(max_length=100, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["target_id", "started_at", "id"]


class PostQueue(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="queues")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    target_accounts = models.ManyToManyField(ConnectedAccount, related_name="queues", blank=True)
    # {"monday": ["09:00", "15:00"], ...} in `timezone`.
    posting_schedule = models.JSONField(default=dict)
    timezone = models.CharField(max_length=64, default="UTC")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class QueuedPost(models.Model):
    queue = models.ForeignKey(PostQueue, on_delete=models.CASCADE, related_name="entries")
    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="queue_entry")
    position = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["queue_id", "position", "id"]


class OAuthApp(models.Model):
    """Client credentials we registered on an instance (Mastodon registers one app per instance)."""

    platform = models.CharField(max_length=20, choices=PLATFORM_CHOICES)
    instance_url = models.URLField()
    client_id = models.CharField(max_length=255)
    client_secret = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "instance_url"], name="unique_oauth_app")]
        verbose_name, verbose_name_plural = "OAuth app", "OAuth apps"


class OAuthState(models.Model):
    """A pending authorization: single-use, bound to user + workspace, expires after 10 minutes."""

    state = models.CharField(max_length=64, unique=True)
    platform = models.CharField(max_length=20, choices=PLATFORM_CHOICES)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    code_verifier = EncryptedTextField(blank=True, default="")
    instance_url = models.URLField(blank=True)
    redirect_uri = models.URLField(max_length=500)
    # Started from the web app's Accounts page: the callback sends the browser to the web app's
    # confirmation page; API flows get FRONTEND_URL or the callback's own page.
    from_webapp = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)


class PendingConnection(models.Model):
    """Accounts an OAuth callback found, waiting for the user who started the flow to confirm them.

    The callback is reached by whoever holds the authorization link; only this row's `user`, signed
    in, turns candidates into accounts (social_media.services.pending). `candidates` lists what may be
    shown (key, platform, ids, names); tokens and per-account settings sit in `secrets`, encrypted.
    The completion token is stored as its SHA-256 only. Expires after 10 minutes; single use."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=20, choices=PLATFORM_CHOICES, help_text="The network whose flow found the candidates.")
    token_hash = models.CharField(max_length=64, unique=True)
    candidates = models.JSONField(default=list)
    secrets = EncryptedTextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Pending {self.get_platform_display()} connection {self.pk}"
