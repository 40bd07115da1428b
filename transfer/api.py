"""/api/v1/imports/ and /api/v1/exports/posts/ (config/api_urls.py). Editors import; any member exports
and reads an import's progress; another workspace's job is a 404. Every step is a call to
transfer/importing.py or transfer/exporting.py."""

from django.http import StreamingHttpResponse
from drf_spectacular.plumbing import build_array_type, build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.context import parse_id, request_workspace
from accounts.models import Membership
from accounts.permissions import WorkspaceRole

from . import exporting, importing
from .files import check_size, read_rows
from .models import ImportJob


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8) or JSON; columns in docs/import-export.md.")
    dry_run = serializers.BooleanField(default=False)
    mode = serializers.ChoiceField(choices=ImportJob.Mode.values, default=ImportJob.Mode.ROW)


class ImportJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportJob
        fields = ("id", "filename", "mode", "status", "rows_total", "rows_done", "rows_failed", "error", "results", "created_at", "finished_at")
        read_only_fields = fields


def read_import_request(data):
    """(rows, dry_run, mode, filename) from a form with `file`, or ValidationError by field."""
    form = ImportRequestSerializer(data=data)
    form.is_valid(raise_exception=True)
    upload = form.validated_data["file"]
    check_size(upload.size)  # before reading it
    rows = read_rows(name=upload.name, data=upload.read())
    return rows, form.validated_data["dry_run"], form.validated_data["mode"], upload.name


class ImportView(APIView):
    permission_classes = [IsAuthenticated, WorkspaceRole]
    parser_classes = [MultiPartParser, FormParser]
    write_role = Membership.Role.EDITOR

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={200: ImportJobSerializer, 201: ImportJobSerializer, 202: ImportJobSerializer},
        description="Import posts from a CSV or JSON file. dry_run=true answers per row what would be created "
        "(200, nothing written); otherwise an import job: 201 with its results when it ran at once (a small file), "
        "202 when it was queued (follow it at /api/v1/imports/{id}/).",
    )
    def post(self, request):
        workspace = request_workspace(request)
        rows, dry_run, mode, filename = read_import_request(request.data)
        if dry_run:
            return Response(importing.dry_run(workspace=workspace, rows=rows))
        job, ran = importing.import_start(workspace=workspace, user=request.user, filename=filename, rows=rows, mode=mode)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED if ran else status.HTTP_202_ACCEPTED)


class ImportDetailView(APIView):
    permission_classes = [IsAuthenticated, WorkspaceRole]

    @extend_schema(responses=ImportJobSerializer)
    def get(self, request, pk):
        job_id = parse_id(pk)
        job = ImportJob.objects.filter(pk=job_id, workspace=request_workspace(request)).defer("rows").first() if job_id else None
        if job is None:
            raise NotFound()
        return Response(ImportJobSerializer(job).data)


class FormatIsOurs(DefaultContentNegotiation):
    """`?format=csv|json` chooses the export's format, not one of DRF's renderers (errors stay JSON)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class PostExportView(APIView):
    permission_classes = [IsAuthenticated, WorkspaceRole]
    content_negotiation_class = FormatIsOurs

    @extend_schema(
        parameters=[
            OpenApiParameter("format", enum=list(exporting.FORMATS)), OpenApiParameter("from", description="date or ISO time"),
            OpenApiParameter("to", description="date (inclusive) or ISO time"), OpenApiParameter("status"),
        ],
        # ?format=json streams the same rows as a JSON array of objects (one per post and target).
        responses={(200, "text/csv"): str, (200, "application/json"): build_array_type(build_basic_type(OpenApiTypes.OBJECT))},
    )
    def get(self, request):
        return export_response(workspace=request_workspace(request), params=request.query_params)


def export_response(*, workspace, params):
    """The streamed export (shared by the API and the web app's link)."""
    filters = exporting.clean_filters(params)
    fmt = filters.pop("format")
    posts = exporting.export_posts(workspace=workspace, **filters)
    if fmt == "json":
        response = StreamingHttpResponse(exporting.json_stream(posts), content_type="application/json")
    else:
        response = StreamingHttpResponse(exporting.csv_stream(posts), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="posts.{fmt}"'
    return response
