from django.db import models

DEFAULT_TEMPLATE = "{title} {link}"
DEFAULT_INTERVAL_MINUTES = 30
MIN_INTERVAL_MINUTES = 5


class FeedSubscription(models.Model):
    """An RSS or Atom feed of the workspace's: each new item becomes one post, in a queue or as a draft."""

    class Mode(models.TextChoices):
        QUEUE = "queue", "Add to a queue"
        DRAFT = "draft", "Save as drafts"

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="feed_subscriptions")
    url = models.URLField(max_length=1000)
    title = models.CharField(max_length=300, blank=True, help_text="The feed's own title, from its last poll.")
    accounts = models.ManyToManyField("social_media.ConnectedAccount", related_name="feed_subscriptions", blank=True,
                                      help_text="Accounts its posts go to; in queue mode, empty means the queue's accounts.")
    template = models.TextField(max_length=1000, default=DEFAULT_TEMPLATE)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.DRAFT)
    queue = models.ForeignKey("social_media.PostQueue", null=True, blank=True, on_delete=models.SET_NULL, related_name="feed_subscriptions")
    post_existing = models.BooleanField(default=False, help_text="Post the items already in the feed when subscribing.")
    is_active = models.BooleanField(default=True)
    poll_interval_minutes = models.PositiveIntegerField(default=DEFAULT_INTERVAL_MINUTES)
    # Set by the first successful poll: from then on every item not seen before is new.
    primed = models.BooleanField(default=False, editable=False)
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.title or self.url


class FeedItem(models.Model):
    """An item seen in a feed, once per (subscription, item_key), and the post it became. The row is
    written in the same transaction as the post, so an item becomes a post exactly once."""

    class Outcome(models.TextChoices):
        QUEUED = "queued", "Queued"
        DRAFT = "draft", "Draft"
        SKIPPED = "skipped", "Skipped (already in the feed when subscribed)"
        FAILED = "failed", "Not posted (see the note)"

    subscription = models.ForeignKey(FeedSubscription, on_delete=models.CASCADE, related_name="items")
    item_key = models.CharField(max_length=300, help_text="guid:…, link:… or sha256:… of title and link.")
    title = models.CharField(max_length=500, blank=True)
    link = models.URLField(max_length=1000, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    post = models.ForeignKey("social_media.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True, help_text="Why it is a draft, or what was shortened.")
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-seen_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["subscription", "item_key"], name="unique_feed_item")]

    def __str__(self):
        return self.title or self.item_key
