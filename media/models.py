import uuid

from django.conf import settings
from django.db import models


def media_upload_to(instance, filename):
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"workspaces/{instance.workspace_id}/{uuid.uuid4().hex}.{ext}"


def derived_upload_to(instance, filename):
    """Thumbnails and renditions live next to the workspace's uploads, under derived/."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    workspace_id = instance.workspace_id if isinstance(instance, MediaFile) else instance.media.workspace_id
    return f"workspaces/{workspace_id}/derived/{uuid.uuid4().hex}.{ext}"


class MediaFolder(models.Model):
    """A folder of the workspace's brand library; folders nest (parent) and are unique by name per parent."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="media_folders")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "parent", "name"], name="unique_folder_name_per_parent"),
            models.UniqueConstraint(
                fields=["workspace", "name"], condition=models.Q(parent__isnull=True), name="unique_root_folder_name"
            ),
        ]

    def __str__(self):
        return self.path

    @property
    def path(self):
        names, folder, seen = [], self, set()
        while folder is not None and folder.pk not in seen:
            seen.add(folder.pk)
            names.append(folder.name)
            folder = folder.parent
        return "/".join(reversed(names))


class MediaTag(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="media_tags")
    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="unique_media_tag")]

    def __str__(self):
        return self.name


class MediaFile(models.Model):
    class MediaType(models.TextChoices):
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"
        GIF = "gif", "GIF"

    class ProcessingStatus(models.TextChoices):
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

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
    # Kept for history; network upload ids now live in NetworkUpload (per account, with expiry).
    platform_media_ids = models.JSONField(default=dict, blank=True)
    # SHA-256 of the uploaded bytes: the same file uploaded twice to a workspace is one MediaFile.
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=12, choices=ProcessingStatus.choices, default=ProcessingStatus.PROCESSING)
    status_reason = models.TextField(blank=True)
    # Video facts from probing: codecs, fps, rotation, audio, container, and which tool read them.
    video_info = models.JSONField(default=dict, blank=True)
    processed_with = models.CharField(max_length=40, blank=True, help_text="ffprobe, or imageio-ffmpeg (no ffprobe).")
    thumbnail = models.FileField(upload_to=derived_upload_to, max_length=500, blank=True)
    folder = models.ForeignKey(MediaFolder, null=True, blank=True, on_delete=models.PROTECT, related_name="media_files")
    tags = models.ManyToManyField(MediaTag, blank=True, related_name="media_files")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "sha256"], condition=~models.Q(sha256=""), name="unique_media_sha256_per_workspace"
            ),
        ]

    def __str__(self):
        return self.original_filename


class MediaRendition(models.Model):
    """A network's version of a MediaFile (resized, re-encoded, padded, transcoded), made on demand and
    cached by `spec_key`: the network and a fingerprint of the limits it was made for."""

    media = models.ForeignKey(MediaFile, on_delete=models.CASCADE, related_name="renditions")
    spec_key = models.CharField(max_length=120)
    media_type = models.CharField(max_length=10, choices=MediaFile.MediaType.choices)
    file = models.FileField(upload_to=derived_upload_to, max_length=500)
    file_size = models.PositiveBigIntegerField()
    mime_type = models.CharField(max_length=100)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True, help_text="How it was made (quality, scale, fit, transcode).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["media_id", "spec_key"]
        constraints = [models.UniqueConstraint(fields=["media", "spec_key"], name="unique_rendition_per_spec")]

    def __str__(self):
        return f"{self.media} for {self.spec_key}"


class NetworkUpload(models.Model):
    """A file already uploaded to a network for one account: a retry reuses `remote_id` until it expires."""

    account = models.ForeignKey("social_media.ConnectedAccount", on_delete=models.CASCADE, related_name="media_uploads")
    media = models.ForeignKey(MediaFile, on_delete=models.CASCADE, related_name="network_uploads")
    # The stored file name that was uploaded (original or rendition): other bytes, other upload.
    file_name = models.CharField(max_length=500)
    remote_id = models.CharField(max_length=255)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "media", "file_name"], name="unique_network_upload")]

    def __str__(self):
        return f"{self.media} on account {self.account_id}: {self.remote_id}"
