from django.conf import settings
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.context import request_workspace
from accounts.permissions import WorkspaceRole

from . import services
from .models import MediaFile
from .serializers import MediaFileSerializer, MediaUploadSerializer

# Multipart framing around the file (boundaries, headers, the alt_text field) on top of the file itself.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class MediaFilter(filters.FilterSet):
    media_type = filters.ChoiceFilter(choices=MediaFile.MediaType.choices)

    class Meta:
        model = MediaFile
        fields = ["media_type"]


class MediaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The workspace's media library. Upload is `POST media/upload/` (multipart: file, alt_text)."""

    serializer_class = MediaFileSerializer
    permission_classes = [IsAuthenticated, WorkspaceRole]
    filterset_class = MediaFilter
    ordering_fields = ["created_at", "file_size"]
    search_fields = ["original_filename", "alt_text"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no workspace
            return MediaFile.objects.none()
        return MediaFile.objects.filter(workspace=request_workspace(self.request)).order_by("-created_at", "-id")

    @extend_schema(request={"multipart/form-data": MediaUploadSerializer}, responses={201: MediaFileSerializer})
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser], serializer_class=MediaUploadSerializer)
    def upload(self, request):
        # Refuse an obviously oversized body from its declared length before reading it.
        declared = str(request.META.get("CONTENT_LENGTH") or "")
        declared = int(declared) if declared.isdigit() else 0
        if declared > settings.MEDIA_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES:
            services.check_upload_size(declared)
        serializer = MediaUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        media = services.media_upload(
            workspace=request_workspace(request),
            uploaded_by=request.user,
            uploaded_file=serializer.validated_data["file"],
            alt_text=serializer.validated_data["alt_text"],
        )
        return Response(MediaFileSerializer(media, context={"request": request}).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.media_delete(media=instance)
