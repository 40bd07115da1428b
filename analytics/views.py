from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.context import request_workspace
from accounts.permissions import WorkspaceRole
from social_media.models import Post

from . import services
from .serializers import OverviewSerializer, PostHistorySerializer, PostMetricsSerializer, window_from

WINDOW_PARAMETERS = [
    OpenApiParameter("since", str, description="ISO 8601 date or date-time, inclusive."),
    OpenApiParameter("until", str, description="ISO 8601 date or date-time, exclusive."),
]


class AnalyticsView(APIView):
    permission_classes = [IsAuthenticated, WorkspaceRole]

    def get_post(self, pk):
        """The post in the request's workspace; any other workspace's post is a 404."""
        return get_object_or_404(Post.objects.filter(workspace=request_workspace(self.request)), pk=pk)


class OverviewView(AnalyticsView):
    @extend_schema(parameters=WINDOW_PARAMETERS, responses=OverviewSerializer)
    def get(self, request):
        since, until = window_from(request)
        overview = services.workspace_overview(workspace=request_workspace(request), since=since, until=until)
        return Response(OverviewSerializer(overview).data)


class PostMetricsView(AnalyticsView):
    @extend_schema(responses=PostMetricsSerializer)
    def get(self, request, pk):
        return Response(PostMetricsSerializer(services.post_metrics(post=self.get_post(pk))).data)


class PostHistoryView(AnalyticsView):
    @extend_schema(parameters=WINDOW_PARAMETERS, responses=PostHistorySerializer)
    def get(self, request, pk):
        post = self.get_post(pk)
        since, until = window_from(request)
        return Response(PostHistorySerializer(services.post_history(post=post, since=since, until=until)).data)
