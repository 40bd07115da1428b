"""Analytics rows.

PostAnalytics: the latest figures of one posted target, with the target's workspace, account, network
and posting time copied onto it when collected, so every read-side query (overview, best times,
hashtags, per-account performance) filters one table by an index instead of joining posts and
windowing on Coalesce(posted_at, scheduled_time, created_at), which no index covers.
AnalyticsSnapshot: every reading, typed columns for time series plus the network's other figures.
AccountSnapshot: followers, following and posts of a connected account, once a day."""

from django.db import models

# The figures every network's reading is stored as (0 where a network has no such figure).
METRICS = ("likes", "reposts", "replies", "quotes", "impressions", "clicks", "saves", "views")
# What counts as engagement: the actions a person took on the post (reach, impressions and views, is not).
ENGAGEMENT_METRICS = ("likes", "reposts", "replies", "quotes", "clicks", "saves")


class MetricColumns(models.Model):
    likes = models.PositiveBigIntegerField(default=0)
    reposts = models.PositiveBigIntegerField(default=0)
    replies = models.PositiveBigIntegerField(default=0)
    quotes = models.PositiveBigIntegerField(default=0)
    impressions = models.PositiveBigIntegerField(default=0)
    clicks = models.PositiveBigIntegerField(default=0)
    saves = models.PositiveBigIntegerField(default=0)
    views = models.PositiveBigIntegerField(default=0)

    class Meta:
        abstract = True

    @property
    def engagement(self):
        return sum(getattr(self, name) for name in ENGAGEMENT_METRICS)


class PostAnalytics(MetricColumns):
    """Latest engagement figures of one published target."""

    target = models.OneToOneField("social_media.PostTarget", on_delete=models.CASCADE, related_name="analytics")
    # Copied from the target when collected (they never change once it is posted).
    workspace = models.ForeignKey("accounts.Workspace", null=True, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("social_media.Post", null=True, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("social_media.ConnectedAccount", null=True, on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=20, blank=True)
    posted_at = models.DateTimeField(null=True)
    # Sum of ENGAGEMENT_METRICS, kept with the figures so rankings and best times read one column.
    engagement_total = models.PositiveBigIntegerField(default=0)
    platform_metrics = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "post analytics"
        indexes = [
            models.Index(fields=["workspace", "posted_at"], name="analytics_pa_ws_posted"),
            models.Index(fields=["account", "posted_at"], name="analytics_pa_account_posted"),
        ]

    def __str__(self):
        return f"analytics of target {self.target_id}"

    def save(self, *args, **kwargs):
        """Keeps engagement_total and the target's copied columns true, whoever writes the row."""
        self.engagement_total = self.engagement
        if self.workspace_id is None or self.account_id is None or self.post_id is None:
            fill_from_target(self)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "engagement_total", *TARGET_COLUMNS}
        super().save(*args, **kwargs)


TARGET_COLUMNS = ("workspace", "post", "account", "platform", "posted_at")


def fill_from_target(row, target=None):
    """Copy the target's workspace, account, network and posting time onto `row` (a PostAnalytics)."""
    if target is None:
        from social_media.models import PostTarget

        target = PostTarget.objects.select_related("post", "account").only(
            "posted_at", "account_id", "account__platform", "post__workspace_id", "post__posted_at"
        ).get(pk=row.target_id)
    row.workspace_id = target.post.workspace_id
    row.post_id = target.post_id
    row.account_id = target.account_id
    row.platform = target.account.platform
    row.posted_at = target.posted_at or target.post.posted_at


class AnalyticsSnapshot(MetricColumns):
    """Metrics as read at one moment, for history charts: typed columns, the rest in `extra`."""

    target = models.ForeignKey("social_media.PostTarget", on_delete=models.CASCADE, related_name="snapshots")
    extra = models.JSONField(default=dict, blank=True)
    captured_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["captured_at", "id"]
        indexes = [models.Index(fields=["target", "captured_at"])]

    @property
    def snapshot_data(self):
        """The reading as the history API shows it: the typed figures and the network's own (`raw`)."""
        return {**{name: getattr(self, name) for name in METRICS}, "raw": self.extra}

    @snapshot_data.setter
    def snapshot_data(self, data):
        """Accepts a reading as one dict (the shape of the JSON column this model had): the figures go
        to their columns, `raw` and anything else to `extra`."""
        data = dict(data or {})
        for name in METRICS:
            setattr(self, name, int(data.pop(name, 0) or 0))
        raw = data.pop("raw", None)
        self.extra = {**(raw if isinstance(raw, dict) else {}), **data}


class AccountSnapshot(models.Model):
    """Followers, following and posts of a connected account as read on one day (the account's
    reading of that day, in UTC; read again the same day, the row is updated). None: the network does
    not tell (e.g. following for a Facebook Page)."""

    account = models.ForeignKey("social_media.ConnectedAccount", on_delete=models.CASCADE, related_name="snapshots")
    day = models.DateField()
    followers = models.PositiveBigIntegerField(null=True)
    following = models.PositiveBigIntegerField(null=True)
    posts = models.PositiveBigIntegerField(null=True)
    extra = models.JSONField(default=dict, blank=True)
    captured_at = models.DateTimeField()

    class Meta:
        ordering = ["account_id", "day"]
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="unique_account_snapshot_per_day")]

    def __str__(self):
        return f"{self.account_id} on {self.day}: {self.followers} followers"


class CollectionFailure(models.Model):
    """The last failed reading of a target's or an account's metrics, so a failure is visible in the
    admin (and the next success clears it); it never stops a sweep."""

    target = models.OneToOneField("social_media.PostTarget", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("social_media.ConnectedAccount", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=[("post", "Post metrics"), ("account", "Account metrics")])
    error_class = models.CharField(max_length=100)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)
    failures = models.PositiveIntegerField(default=1)
    failed_at = models.DateTimeField()

    class Meta:
        ordering = ["-failed_at"]
        constraints = [
            models.UniqueConstraint(fields=["account"], condition=models.Q(kind="account"), name="unique_account_collection_failure"),
        ]
