from django.db import models


class PostAnalytics(models.Model):
    """Latest engagement figures of one published target."""

    target = models.OneToOneField("social_media.PostTarget", on_delete=models.CASCADE, related_name="analytics")
    likes = models.PositiveBigIntegerField(default=0)
    reposts = models.PositiveBigIntegerField(default=0)
    replies = models.PositiveBigIntegerField(default=0)
    impressions = models.PositiveBigIntegerField(default=0)
    clicks = models.PositiveBigIntegerField(default=0)
    platform_metrics = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "post analytics"

    def __str__(self):
        return f"analytics of target {self.target_id}"


class AnalyticsSnapshot(models.Model):
    """Metrics as read at one moment, for history charts."""

    target = models.ForeignKey("social_media.PostTarget", on_delete=models.CASCADE, related_name="snapshots")
    snapshot_data = models.JSONField(default=dict)
    captured_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["captured_at", "id"]
        indexes = [models.Index(fields=["target", "captured_at"])]
