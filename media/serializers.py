from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.datetimes import iso

from .models import MediaFile, MediaFolder
from .public import signed_url

MAX_TAGS = 20


class MediaFileSerializer(serializers.ModelSerializer):
    """`url` and `thumbnail_url` are signed and expire (MEDIA_PUBLIC_URL_SECONDS): storage is private."""

    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    folder = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)  # null: not in a folder

    class Meta:
        model = MediaFile
        fields = [
            "id", "media_type", "mime_type", "original_filename", "file_size", "width", "height", "duration",
            "alt_text", "url", "thumbnail_url", "status", "status_reason", "processed_with", "video_info", "folder", "tags",
            "sha256", "created_at",
        ]
        read_only_fields = fields

    def get_url(self, media) -> str:
        return signed_url(media.file.name, media.mime_type)

    def get_thumbnail_url(self, media) -> str | None:
        return signed_url(media.thumbnail.name, "image/jpeg") if media.thumbnail else None

    def get_tags(self, media) -> list[str]:
        return sorted(tag.name for tag in media.tags.all())

    def to_representation(self, media):
        """The fields above, built directly (`media_body`): a post list renders this for every
        attachment, and DRF's per-field machinery cost more than the rest of the page
        (docs/benchmarks.md, "API speed")."""
        row = {column: getattr(media, column) for column in MEDIA_COLUMNS if column not in ("file", "thumbnail")}
        row["file"], row["thumbnail"] = media.file.name, media.thumbnail.name
        return media_body(row, [tag.name for tag in media.tags.all()])


# What `media_body` reads: MediaFile columns, as `.values(*MEDIA_COLUMNS)` gives them.
MEDIA_COLUMNS = (
    "id", "media_type", "mime_type", "original_filename", "file_size", "width", "height", "duration", "alt_text", "file",
    "thumbnail", "status", "status_reason", "processed_with", "video_info", "folder_id", "sha256", "created_at",
)


def media_body(row, tags) -> dict:
    """A media file's representation (MediaFileSerializer's fields) from a row of MEDIA_COLUMNS and its
    tag names: the one place it is built, for the library and for every post's attachments."""
    return {
        "id": row["id"], "media_type": row["media_type"], "mime_type": row["mime_type"],
        "original_filename": row["original_filename"], "file_size": row["file_size"], "width": row["width"],
        "height": row["height"], "duration": row["duration"], "alt_text": row["alt_text"],
        "url": signed_url(row["file"], row["mime_type"]),
        "thumbnail_url": signed_url(row["thumbnail"], "image/jpeg") if row["thumbnail"] else None,
        "status": row["status"], "status_reason": row["status_reason"], "processed_with": row["processed_with"],
        "video_info": row["video_info"], "folder": row["folder_id"], "tags": sorted(tags), "sha256": row["sha256"],
        "created_at": iso(row["created_at"]),
    }


@extend_schema_field({"type": "integer", "nullable": True, "description": "Id of a folder of the workspace; null: none."})
class _WorkspaceFolderField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        workspace = self.context.get("workspace")
        return MediaFolder.objects.filter(workspace=workspace) if workspace is not None else MediaFolder.objects.none()


class TagListField(serializers.ListField):
    child = serializers.CharField(max_length=50, trim_whitespace=True)

    def __init__(self, **kwargs):
        super().__init__(max_length=MAX_TAGS, **kwargs)

    def to_internal_value(self, data):
        # Multipart sends a repeated field or one comma-separated value.
        if hasattr(data, "getlist"):
            data = data.getlist(self.field_name)
        if isinstance(data, str):
            data = [data]
        if isinstance(data, list) and len(data) == 1 and isinstance(data[0], str) and "," in data[0]:
            data = data[0].split(",")
        values = super().to_internal_value(data)
        return sorted({value.strip().lower() for value in values if value.strip()})


class MediaUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False, use_url=False)
    alt_text = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="", trim_whitespace=True)
    folder = _WorkspaceFolderField(required=False, allow_null=True, default=None)
    tags = TagListField(required=False, default=list)


class MediaUpdateSerializer(serializers.ModelSerializer):
    folder = _WorkspaceFolderField(required=False, allow_null=True)
    tags = TagListField(required=False)

    class Meta:
        model = MediaFile
        fields = ["alt_text", "folder", "tags"]
        extra_kwargs = {"alt_text": {"max_length": 2000, "allow_blank": True}}


class MediaFolderSerializer(serializers.ModelSerializer):
    parent = _WorkspaceFolderField(required=False, allow_null=True)
    path = serializers.CharField(read_only=True)

    class Meta:
        model = MediaFolder
        fields = ["id", "name", "parent", "path", "created_at"]
        read_only_fields = ["id", "path", "created_at"]
        extra_kwargs = {"name": {"max_length": 100, "trim_whitespace": True}}

    def validate_name(self, value):
        if not value or "/" in value:
            raise serializers.ValidationError("A folder name cannot be empty or contain '/'.")
        return value
