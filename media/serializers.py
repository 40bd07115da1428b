from rest_framework import serializers

from .models import MediaFile


class MediaFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = MediaFile
        fields = [
            "id", "media_type", "mime_type", "original_filename", "file_size", "width", "height", "duration",
            "alt_text", "url", "created_at",
        ]
        read_only_fields = fields

    def get_url(self, media) -> str:
        url = media.file.url
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None and url.startswith("/") else url


class MediaUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False, use_url=False)
    alt_text = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="", trim_whitespace=True)
