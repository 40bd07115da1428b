"""Posts API. Reads go through the request's workspace (another workspace's post is a 404); every
change is a call to a service in social_media.services.posts."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.context import parse_id, request_workspace
from accounts.permissions import WorkspaceRole
from analytics.serializers import PostMetricsSerializer, SuggestHashtagsRequestSerializer, SuggestHashtagsSerializer
from analytics.services import post_metrics
from developer.idempotency import IdempotentMixin
from first_comments.services import first_comment_revalidate
from social_media.models import Post
from social_media.services import posts as post_services
from social_media.services.unpublishing import post_unpublish

from .filters import PostFilter
from .post_bodies import rendered_post_bodies
from .serializers import PostSerializer, PostWriteSerializer, ScheduleSerializer, UnpublishSerializer


class WorkspaceScopedMixin:
    permission_classes = [IsAuthenticated, WorkspaceRole]
    required_role = None  # an @action may set it (WorkspaceRole reads it)

    @property
    def workspace(self):
        return request_workspace(self.request)


class PostViewSet(IdempotentMixin, WorkspaceScopedMixin, viewsets.ModelViewSet):
    idempotent_actions = ("create", "schedule", "publish_now")  # an Idempotency-Key header makes a retry safe
    """Compose, schedule and manage posts. Viewers read; editors write."""

    serializer_class = PostSerializer
    filterset_class = PostFilter
    search_fields = ["content"]
    ordering_fields = ["created_at", "scheduled_time"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request user
            return Post.objects.none()
        return Post.objects.filter(workspace=self.workspace)

    def list(self, request, *args, **kwargs):
        ids = self.paginate_queryset(self.filter_queryset(self.get_queryset()).values_list("id", flat=True))
        return self.get_paginated_response(rendered_post_bodies(ids))

    def retrieve(self, request, *args, **kwargs):
        pk = parse_id(kwargs["pk"])
        bodies = rendered_post_bodies([pk], workspace_id=self.workspace.pk) if pk is not None else []
        if not bodies:
            raise NotFound()
        return Response(bodies[0])

    def respond(self, post, status_code=status.HTTP_200_OK):
        return Response(PostSerializer(post, context=self.get_serializer_context()).data, status=status_code)

    def write_data(self, *, partial):
        data = PostWriteSerializer(data=self.request.data, partial=partial, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        return data.service_kwargs()

    @extend_schema(request=PostWriteSerializer, responses={201: PostSerializer})
    def create(self, request, *args, **kwargs):
        data = self.write_data(partial=False)
        post = post_services.post_create(workspace=self.workspace, author=request.user, **data)  # with its first comment, all or nothing
        return self.respond(post, status.HTTP_201_CREATED)

    @extend_schema(request=PostWriteSerializer, responses=PostSerializer)
    def partial_update(self, request, *args, **kwargs):
        post = self.get_object()
        data = self.write_data(partial=True)
        with transaction.atomic():
            post_services.post_update(post=post, actor=request.user, **data)
            if "accounts" in data and "first_comment" not in data:  # the stored comment must fit the new networks
                first_comment_revalidate(post=post)
        return self.respond(post)

    def destroy(self, request, *args, **kwargs):
        post_services.post_delete(post=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ScheduleSerializer, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        """Schedule the post. In a workspace that requires approval, an editor's call submits it for
        approval instead (status pending_approval, its time kept; approvals/)."""
        post = self.get_object()
        data = ScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post_services.post_schedule(post=post, at=data.validated_data["scheduled_time"], actor=request.user)
        return self.respond(post)

    @extend_schema(request=None, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        post = self.get_object()
        post_services.post_cancel(post=post)
        return self.respond(post)

    @extend_schema(request=None, responses=PostSerializer)
    @action(detail=True, methods=["post"], url_path="publish-now")
    def publish_now(self, request, pk=None):
        """Validate and publish the post on every target now (same service as the admin action). In a
        workspace that requires approval, an editor's call submits it for approval instead."""
        post = self.get_object()
        post_services.post_publish_now(post=post, actor=request.user)
        return self.respond(post)

    @extend_schema(request=UnpublishSerializer, responses={202: PostSerializer})
    @action(detail=True, methods=["post"])
    def unpublish(self, request, pk=None):
        """Delete the post from its networks: every posted target, or only `targets`. Each target is
        `deleting` until a worker deletes it, then `deleted` (or back to `posted` with the reason in
        `error_message`); its attempts of kind `delete` record each try. Then the post can be deleted."""
        post = self.get_object()
        data = UnpublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post_unpublish(post=post, target_ids=data.validated_data.get("targets"))
        return self.respond(post, status.HTTP_202_ACCEPTED)

    @extend_schema(request=SuggestHashtagsRequestSerializer, responses=SuggestHashtagsSerializer)
    @action(detail=False, methods=["post"], url_path="suggest-hashtags")
    def suggest_hashtags(self, request):
        """Hashtags for a draft: those with the best engagement lift on the account (analytics) that the
        draft lacks, and the lift of those it has."""
        from analytics.views import suggest_hashtags_for

        return suggest_hashtags_for(request, workspace=self.workspace)

    @extend_schema(responses=PostMetricsSerializer)
    @action(detail=True, methods=["get"])
    def analytics(self, request, pk=None):
        """Latest engagement figures of each target of the post, and their totals."""
        return Response(PostMetricsSerializer(post_metrics(post=self.get_object())).data)
