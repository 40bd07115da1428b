"""Posting queues API: CRUD (viewers read, editors write), add a post to the next free slot, reorder."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from social_media.models import ConnectedAccount, Post, PostQueue, QueuedPost, without_secrets
from social_media.services.queues import queue_add_post, queue_reorder

from .serializers import AddPostSerializer, PostQueueSerializer, PostSerializer, ReorderSerializer, upcoming_entries
from .views import WorkspaceScopedMixin


class PostQueueViewSet(WorkspaceScopedMixin, viewsets.ModelViewSet):
    serializer_class = PostQueueSerializer
    ordering_fields = ["created_at", "name"]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request user
            return PostQueue.objects.none()
        return PostQueue.objects.filter(workspace=self.workspace).prefetch_related(
            Prefetch("target_accounts", queryset=ConnectedAccount.objects.only("id")),  # ids are all it shows
            Prefetch("entries", queryset=upcoming_entries(QueuedPost.objects.all()), to_attr="upcoming_entries"),
        )

    def perform_create(self, serializer):
        serializer.save(workspace=self.workspace)

    def respond(self, queue):
        fresh = self.get_queryset().get(pk=queue.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(request=AddPostSerializer, responses=PostSerializer)
    @action(detail=True, methods=["post"], url_path="add-post")
    def add_post(self, request, pk=None):
        """Schedule a draft post in the queue's next free slot (in the queue's time zone)."""
        queue = self.get_object()
        data = AddPostSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = Post.objects.filter(workspace=self.workspace, pk=data.validated_data["post_id"]).first()
        if post is None:
            raise ValidationError({"post_id": ["No post with this id in this workspace."]})
        queue_add_post(queue=queue, post=post)
        return Response(PostSerializer(post, context=self.get_serializer_context()).data)

    @extend_schema(request=ReorderSerializer, responses=PostQueueSerializer)
    @action(detail=True, methods=["post"])
    def reorder(self, request, pk=None):
        """Give the queue's waiting posts its taken slots in the order of `post_ids`."""
        queue = self.get_object()
        data = ReorderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        queue_reorder(queue=queue, post_ids=data.validated_data["post_ids"])
        return self.respond(queue)
