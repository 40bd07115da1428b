import uuid

from django.conf import settings
from django.db import models


def media_upload_to(instance, filename):
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"workspaces/{instance.workspace_id}/{uuid.uuid4().hex}.{ext}"


class MediaFile(models.Model):
    class MediaType(models.TextChoices):
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"
        GIF = "gif", "GIF"

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="media_files")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    media_type = models.CharField(max_length=10, choices=MediaType.choices)
    original_filename = models.CharField(max_length=255)
    file = models.FileField(upload_to=media_upload_to, max_length=500)
    file_size = models.PositiveBigIntegerField()
    mime_type = models.CharField(max_length=100)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds, for video.")
    alt_text = models.TextField(blank=True, max_length=2000)
    # {"<account id>": "<the network's media id>"}: uploads reused across retries.
    platform_media_ids = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.original_filename
