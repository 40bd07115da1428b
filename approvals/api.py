"""Approvals API, under /api/v1/posts/{id}/: submit/, approve/, reject/, comments/, approval-events/,
review-links/ (create, list) and review-links/{link_id}/revoke/. Each calls approvals.services.

The post is looked up in the request's workspace (another workspace's post is a 404). Roles: viewers
read the history and the links' list; editors submit and comment; admins and owners approve, reject
and create or revoke review links (403 otherwise, checked here and again by the services)."""

from datetime import timedelta

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts.context import parse_id
from accounts.models import Membership
from social_media.api.fields import AwareFutureDateTimeField
from social_media.api.serializers import PostSerializer
from social_media.api.views import WorkspaceScopedMixin
from social_media.models import Post

from . import services
from .models import ApprovalEvent, ReviewLink

Role = Membership.Role


class SubmitSerializer(serializers.Serializer):
    scheduled_time = AwareFutureDateTimeField(
        required=False, help_text="When the post goes out once approved; default: the time it already has.",
    )


class ApproveSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=services.MAX_COMMENT, allow_blank=True, required=False, default="")
    publish_now_if_past = serializers.BooleanField(
        required=False, default=False,
        help_text="When the post's time has passed: publish it now. Without it such an approval is refused (400, field publish_now_if_past).",
    )


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=services.MAX_COMMENT)


class ApprovalEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    who = serializers.CharField(read_only=True, help_text="The member's username, or the name a reviewer typed on a review link.")

    class Meta:
        model = ApprovalEvent
        fields = ["id", "kind", "actor", "who", "reviewer_name", "review_link", "comment", "scheduled_time", "created_at"]
        read_only_fields = fields

    def get_actor(self, event) -> int | None:
        return event.actor_id


class ReviewLinkSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="active, expired or revoked")

    class Meta:
        model = ReviewLink
        fields = ["id", "status", "created_by", "created_at", "expires_at", "revoked_at", "last_used_at"]
        read_only_fields = fields


class ReviewLinkCreatedSerializer(ReviewLinkSerializer):
    url = serializers.URLField(read_only=True, help_text="The link to send. Shown only in this answer: it is not stored.")

    class Meta(ReviewLinkSerializer.Meta):
        fields = [*ReviewLinkSerializer.Meta.fields, "url"]
        read_only_fields = fields


class ReviewLinkCreateSerializer(serializers.Serializer):
    expires_in_hours = serializers.IntegerField(
        min_value=1, max_value=90 * 24, required=False, help_text="How long the link works (default REVIEW_LINK_DAYS, 7 days).",
    )


post_id = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The post's id.")


@extend_schema_view(
    submit=extend_schema(parameters=[post_id]), approve=extend_schema(parameters=[post_id]), reject=extend_schema(parameters=[post_id]),
    comments=extend_schema(parameters=[post_id]), approval_events=extend_schema(parameters=[post_id]),
    review_links=extend_schema(parameters=[post_id]),
)
class PostApprovalViewSet(WorkspaceScopedMixin, viewsets.GenericViewSet):
    """A post's approval workflow (approvals.services)."""

    serializer_class = PostSerializer
    queryset = Post.objects.none()
    pagination_class = None  # the history, comments and links of one post: short lists, never paged
    filter_backends = []

    def get_post(self):
        pk = parse_id(self.kwargs["pk"])
        post = Post.objects.filter(workspace=self.workspace, pk=pk).select_related("workspace").first() if pk is not None else None
        if post is None:
            raise NotFound()
        return post

    def respond(self, post, status_code=status.HTTP_200_OK):
        post = Post.objects.get(pk=post.pk)
        return Response(PostSerializer(post, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(request=SubmitSerializer, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the post for approval (pending_approval: never published until approved), at
        `scheduled_time` or the time it has."""
        post = self.get_post()
        data = SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.post_submit(post=post, actor=request.user, at=data.validated_data.get("scheduled_time"))
        return self.respond(post)

    @extend_schema(request=ApproveSerializer, responses=PostSerializer)
    @action(detail=True, methods=["post"], required_role=Role.ADMIN)
    def approve(self, request, pk=None):
        """Approve a post pending approval: it is scheduled for its time. When that time has passed the
        answer is a 400 on `publish_now_if_past` unless it is true (then the post is published now)."""
        post = self.get_post()
        data = ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.post_approve(post=post, actor=request.user, **data.validated_data)
        return self.respond(post)

    @extend_schema(request=CommentSerializer, responses=PostSerializer)
    @action(detail=True, methods=["post"], required_role=Role.ADMIN)
    def reject(self, request, pk=None):
        """Reject a post pending approval: back to draft, with `comment` (required) saying why."""
        post = self.get_post()
        data = CommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.post_reject(post=post, actor=request.user, comment=data.validated_data["comment"])
        return self.respond(post)

    @extend_schema(methods=["GET"], request=None, responses=ApprovalEventSerializer(many=True))
    @extend_schema(methods=["POST"], request=CommentSerializer, responses={201: ApprovalEventSerializer})
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk=None):
        """The post's comments (GET), or a new one (POST, editors and above)."""
        post = self.get_post()
        if request.method == "GET":
            events = ApprovalEvent.objects.filter(post=post, kind=ApprovalEvent.Kind.COMMENTED).select_related("actor").order_by("created_at", "id")
            return Response(ApprovalEventSerializer(events, many=True).data)
        data = CommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.post_comment(post=post, actor=request.user, comment=data.validated_data["comment"])
        return Response(ApprovalEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ApprovalEventSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="approval-events")
    def approval_events(self, request, pk=None):
        """The post's approval history, oldest first: submitted, approved, rejected, commented, edited
        after approval, review links created and revoked; each with who and when."""
        return Response(ApprovalEventSerializer(services.post_history(self.get_post()), many=True).data)

    @extend_schema(methods=["GET"], request=None, responses=ReviewLinkSerializer(many=True))
    @extend_schema(methods=["POST"], request=ReviewLinkCreateSerializer, responses={201: ReviewLinkCreatedSerializer})
    @action(detail=True, methods=["get", "post"], url_path="review-links")
    def review_links(self, request, pk=None):
        """The post's review links (GET), or a new one (POST, admins and owners): its `url` is in this
        answer only. Anyone with the URL can see the post's previews, approve it and comment, until it
        expires or is revoked."""
        post = self.get_post()
        if request.method == "GET":
            return Response(ReviewLinkSerializer(ReviewLink.objects.filter(post=post), many=True).data)
        data = ReviewLinkCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hours = data.validated_data.get("expires_in_hours")
        link, token = services.review_link_create(post=post, actor=request.user, expires_in=timedelta(hours=hours) if hours else None)
        body = ReviewLinkCreatedSerializer(link).data
        body["url"] = services.review_link_url(token)
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None, responses=ReviewLinkSerializer,
        parameters=[post_id, OpenApiParameter("link_id", int, OpenApiParameter.PATH, description="The review link's id.")],
    )
    @action(detail=True, methods=["post"], url_path=r"review-links/(?P<link_id>[^/.]+)/revoke", required_role=Role.ADMIN)
    def revoke_review_link(self, request, pk=None, link_id=None):
        """Revoke a review link: it stops working at once (its page answers 404)."""
        post = self.get_post()
        link_pk = parse_id(link_id)
        link = ReviewLink.objects.filter(post=post, pk=link_pk).select_related("post__workspace").first() if link_pk is not None else None
        if link is None:
            raise NotFound()
        return Response(ReviewLinkSerializer(services.review_link_revoke(link=link, actor=request.user)).data)


router = SimpleRouter()
router.register("posts", PostApprovalViewSet, basename="post-approval")
urlpatterns = router.urls
