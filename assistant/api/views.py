from datetime import timedelta

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.views import ServiceErrorsMixin, WorkspaceInURLMixin, require_role
from accounts.context import request_workspace
from accounts.models import Membership
from accounts.permissions import WorkspaceRole
from assistant import services
from assistant.errors import AssistantError
from assistant.models import AssistantRequest, BrandVoice

from . import serializers as s


class AssistantProblem(APIException):
    """An AssistantError in the API's one error shape (config/exceptions.py), never the provider's body."""

    def __init__(self, error: AssistantError):
        self.status_code = error.status
        self.default_code = error.code
        self.retry_after = error.retry_after
        self.extra = {"retry_after": error.retry_after} if error.retry_after else None
        super().__init__(detail=error.message, code=error.code)


class AssistantView(APIView):
    permission_classes = [IsAuthenticated, WorkspaceRole]
    write_role = Membership.Role.EDITOR
    error_statuses = (422, 502, 503, 504)  # the model's answers (assistant/errors.py), documented in the schema
    request_serializer = None

    def handle_exception(self, exc):
        if isinstance(exc, AssistantError):
            problem = AssistantProblem(exc)
            response = super().handle_exception(problem)
            if problem.retry_after:
                response["Retry-After"] = str(problem.retry_after)
            return response
        return super().handle_exception(exc)

    def valid(self, request):
        serializer = self.request_serializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class CaptionsView(AssistantView):
    request_serializer = s.CaptionsRequestSerializer

    @extend_schema(request=s.CaptionsRequestSerializer, responses=s.VariantsAnswerSerializer, summary="Caption variants per network, in the workspace's voice")
    def post(self, request):
        data = self.valid(request)
        answer = services.captions(
            workspace=request_workspace(request), user=request.user, brief=data["brief"], accounts=data["account_ids"],
            n=data["n"], tone=data["tone"], media_files=data["media_ids"],
        )
        return Response(answer)


class AdaptView(AssistantView):
    request_serializer = s.AdaptRequestSerializer

    @extend_schema(request=s.AdaptRequestSerializer, responses=s.VariantsAnswerSerializer, summary="One version of a text per network")
    def post(self, request):
        data = self.valid(request)
        return Response(services.adapt(workspace=request_workspace(request), user=request.user, content=data["content"], accounts=data["account_ids"]))


class HashtagsView(AssistantView):
    request_serializer = s.HashtagsRequestSerializer

    @extend_schema(request=s.HashtagsRequestSerializer, responses=s.HashtagsAnswerSerializer, summary="Hashtag suggestions: the model's and the account's measured lift")
    def post(self, request):
        data = self.valid(request)
        return Response(services.hashtags(workspace=request_workspace(request), user=request.user, content=data["content"], account=data["account"]))


class AltTextView(AssistantView):
    request_serializer = s.AltTextRequestSerializer

    @extend_schema(request=s.AltTextRequestSerializer, responses=s.AltTextAnswerSerializer, summary="Alt text for an image in the library")
    def post(self, request):
        data = self.valid(request)
        return Response(services.alt_text(workspace=request_workspace(request), user=request.user, media=data["media"]))


class UsageQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=366, default=30)


class UsageView(AssistantView):
    error_statuses = ()  # reads rows only: no model is asked
    @extend_schema(parameters=[OpenApiParameter("days", int, description="Days back from today (1–366, default 30).")], responses=s.UsageSerializer, summary="Assistant requests, tokens and failures per day")
    def get(self, request):
        query = UsageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        workspace = request_workspace(request)
        until = timezone.now()
        since = until - timedelta(days=query.validated_data["days"])
        day_start = until.replace(hour=0, minute=0, second=0, microsecond=0)
        body = {
            "since": since,
            "until": until,
            "daily_quota": services.daily_quota(workspace),
            "used_today": AssistantRequest.objects.filter(workspace=workspace, created_at__gte=day_start).count(),
            "days": services.usage(workspace=workspace, since=since, until=until),
        }
        return Response(s.UsageSerializer(body).data)


class VoiceView(ServiceErrorsMixin, WorkspaceInURLMixin, AssistantView):
    """The brand voice of the workspace in the URL: any member reads it, admins and owners change it."""

    error_statuses = ()

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("workspace_pk", int, OpenApiParameter.PATH)], responses=s.BrandVoiceSerializer, summary="The workspace's brand voice")
    def get(self, request, workspace_pk):
        workspace = self.workspace()
        voice = BrandVoice.objects.filter(workspace=workspace).first() or BrandVoice(workspace=workspace)
        return Response(s.BrandVoiceSerializer(voice).data)

    @extend_schema(parameters=[OpenApiParameter("workspace_pk", int, OpenApiParameter.PATH)], request=s.BrandVoiceSerializer, responses=s.BrandVoiceSerializer, summary="Change the workspace's brand voice")
    def patch(self, request, workspace_pk):
        require_role(self.actor_membership().role, Membership.Role.ADMIN, "change the brand voice")
        serializer = s.BrandVoiceSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        voice = services.voice_update(workspace=self.workspace(), user=request.user, changes=serializer.validated_data)
        return Response(s.BrandVoiceSerializer(voice).data)
