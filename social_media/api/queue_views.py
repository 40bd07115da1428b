"""Posting queues API: CRUD (viewers read, editors write), add a post to the next free slot, reorder."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from accounts.context import parse_id
from analytics.serializers import SuggestSlotsRequestSerializer, SuggestSlotsSerializer
from config.numbers import digits
from social_media.models import Post, PostQueue
from social_media.services.queues import MAX_SLOTS_PER_DAY, queue_add_post, queue_reorder

from .queue_bodies import queue_bodies, queue_bodies_of, queue_rows
from .serializers import AddPostSerializer, PostQueueSerializer, PostSerializer, ReorderSerializer
from .views import WorkspaceScopedMixin

# The largest body a queue write needs: a full timetable (7 days x 48 times) is ~3 KB, 100 account
# ids and a name well under 2 KB, a reorder of MAX_REORDER ids ~8 KB; the rest is room for a description.
MAX_QUEUE_BODY_BYTES = 64 * 1024


class PostQueueViewSet(WorkspaceScopedMixin, viewsets.ModelViewSet):
    serializer_class = PostQueueSerializer
    ordering_fields = ["created_at", "name"]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def initial(self, request, *args, **kwargs):
        """After authentication, permissions and throttles, and before any byte of the body is read: a
        body larger than any queue write needs is refused by its declared length, not parsed (6 MB of
        posting_schedule keys cost seconds of JSON parsing before their count could be checked)."""
        super().initial(request, *args, **kwargs)
        declared = digits(request.META.get("CONTENT_LENGTH")) or 0
        if declared > MAX_QUEUE_BODY_BYTES:
            raise ValidationError({"non_field_errors": [
                f"The request body is {declared:,} bytes; a queue request is at most {MAX_QUEUE_BODY_BYTES:,} "
                f"(a posting_schedule holds at most 7 days of {MAX_SLOTS_PER_DAY} times)."
            ]})

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request user
            return PostQueue.objects.none()
        return PostQueue.objects.filter(workspace=self.workspace)  # bodies come from rows: social_media/api/queue_bodies.py

    def list(self, request, *args, **kwargs):
        rows = self.paginate_queryset(queue_rows(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(queue_bodies(rows))

    def retrieve(self, request, *args, **kwargs):
        rows = list(queue_rows(PostQueue.objects.filter(workspace=self.workspace, pk=parse_id(kwargs["pk"]))))
        if not rows:
            raise NotFound()
        return Response(queue_bodies(rows)[0])

    def perform_create(self, serializer):
        serializer.save(workspace=self.workspace)

    def respond(self, queue):
        return Response(queue_bodies_of([queue])[0])

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
        queue_add_post(queue=queue, post=post, actor=request.user)
        return Response(PostSerializer(post, context=self.get_serializer_context()).data)

    @extend_schema(request=SuggestSlotsRequestSerializer, responses=SuggestSlotsSerializer)
    @action(detail=True, methods=["post"], url_path="suggest-slots")
    def suggest_slots(self, request, pk=None):
        """A weekly posting schedule from the best times of the queue's accounts (analytics), in the
        queue's time zone; nothing is changed: PATCH the queue's posting_schedule with it to use it."""
        from analytics.views import suggest_slots_for

        return suggest_slots_for(request, queue=self.get_object())

    @extend_schema(request=ReorderSerializer, responses=PostQueueSerializer)
    @action(detail=True, methods=["post"])
    def reorder(self, request, pk=None):
        """Give the queue's waiting posts its taken slots in the order of `post_ids`."""
        queue = self.get_object()
        data = ReorderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        queue_reorder(queue=queue, post_ids=data.validated_data["post_ids"], actor=request.user)
        return self.respond(queue)
