from django.conf import settings
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.context import request_workspace
from accounts.permissions import WorkspaceRole
from config.filters import IdFilter
from config.numbers import digits
from developer.idempotency import IdempotentMixin

from . import folders, services
from .models import MediaFile, MediaFolder
from .serializers import MediaFileSerializer, MediaFolderSerializer, MediaUpdateSerializer, MediaUploadSerializer

# Multipart framing around the file (boundaries, headers, the alt_text field) on top of the file itself.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class MediaFilter(filters.FilterSet):
    media_type = filters.ChoiceFilter(choices=MediaFile.MediaType.choices)
    type = filters.ChoiceFilter(field_name="media_type", choices=MediaFile.MediaType.choices)
    status = filters.ChoiceFilter(choices=MediaFile.ProcessingStatus.choices)
    folder = IdFilter(field_name="folder_id")
    tag = filters.CharFilter(method="filter_tag")

    class Meta:
        model = MediaFile
        fields = ["media_type", "type", "status", "folder", "tag"]

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tags__name=value.strip().lower()).distinct()


def _workspace_folders(request):
    if request is None:  # schema generation
        return MediaFolder.objects.none()
    return MediaFolder.objects.filter(workspace=request_workspace(request))


class MediaFolderFilter(filters.FilterSet):
    # Scoped to the workspace: another team's folder id is as unknown as a missing one.
    parent = filters.ModelChoiceFilter(queryset=_workspace_folders)

    class Meta:
        model = MediaFolder
        fields = ["parent"]


class MediaViewSet(
    IdempotentMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The workspace's media library. Upload is `POST media/upload/` (multipart: file, alt_text, folder, tags)."""

    idempotent_actions = ("upload",)  # an Idempotency-Key header makes a retried upload answer the first

    serializer_class = MediaFileSerializer
    permission_classes = [IsAuthenticated, WorkspaceRole]
    filterset_class = MediaFilter
    ordering_fields = ["created_at", "file_size"]
    search_fields = ["original_filename", "alt_text", "tags__name"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no workspace
            return MediaFile.objects.none()
        return (
            MediaFile.objects.filter(workspace=request_workspace(self.request))
            .prefetch_related("tags")
            .order_by("-created_at", "-id")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["workspace"] = request_workspace(self.request)
        return context

    @extend_schema(
        request={"multipart/form-data": MediaUploadSerializer},
        responses={201: MediaFileSerializer, 200: MediaFileSerializer},
        description="201 with the new MediaFile (status `processing`); 200 with the existing one when the same bytes were uploaded before (a non-blank alt_text replaces its alt text).",
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser], serializer_class=MediaUploadSerializer)
    def upload(self, request):
        # Refuse an obviously oversized body from its declared length before reading it.
        declared = digits(request.META.get("CONTENT_LENGTH")) or 0
        if declared > settings.MEDIA_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES:
            services.check_upload_size(declared)
        serializer = MediaUploadSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        workspace = request_workspace(request)
        data = serializer.validated_data
        media, created = services.media_upload(
            workspace=workspace,
            uploaded_by=request.user,
            uploaded_file=data["file"],
            alt_text=data["alt_text"],
            folder=data.get("folder"),
            tags=data.get("tags") or [],
        )
        body = MediaFileSerializer(media, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=MediaUpdateSerializer, responses={200: MediaFileSerializer})
    def partial_update(self, request, *args, **kwargs):
        media = self.get_object()
        serializer = MediaUpdateSerializer(media, data=request.data, partial=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.media_update(media=media, changes=serializer.validated_data)
        media = self.get_queryset().get(pk=media.pk)
        return Response(MediaFileSerializer(media, context={"request": request}).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.media_delete(media=instance)


class MediaFolderViewSet(viewsets.ModelViewSet):
    """Hierarchical folders of the brand library: `parent` null for the top level; PATCH renames or moves;
    DELETE only when empty (409 otherwise)."""

    serializer_class = MediaFolderSerializer
    permission_classes = [IsAuthenticated, WorkspaceRole]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_class = MediaFolderFilter
    search_fields = ["name"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MediaFolder.objects.none()
        return MediaFolder.objects.filter(workspace=request_workspace(self.request)).select_related("parent").order_by("name", "id")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["workspace"] = request_workspace(self.request)
        return context

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = folders.folder_create(workspace=request_workspace(self.request), name=data["name"], parent=data.get("parent"))

    def perform_update(self, serializer):
        serializer.instance = folders.folder_update(folder=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        folders.folder_delete(folder=instance)
