from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.context import parse_id, request_workspace
from accounts.models import Membership
from accounts.permissions import WorkspaceRole
from feeds import services
from feeds.models import FeedItem, FeedSubscription

from . import serializers as s

ITEMS_SHOWN = 200


class FeedSubscriptionViewSet(viewsets.GenericViewSet):
    """RSS / Atom feeds whose new items become posts, in a queue or as drafts (editors and up change them).
    docs/feeds.md describes polling, the template and what happens to long items."""

    permission_classes = [IsAuthenticated, WorkspaceRole]
    queryset = FeedSubscription.objects.none()  # the schema's model; requests use _subscriptions()
    serializer_class = s.FeedSubscriptionSerializer
    pagination_class = None
    read_role = Membership.Role.VIEWER
    write_role = Membership.Role.EDITOR

    def _subscriptions(self):
        return FeedSubscription.objects.filter(workspace=request_workspace(self.request)).prefetch_related("accounts")

    def _subscription(self, pk):
        pk = parse_id(pk)  # not a row id (letters, past bigint): no such feed, 404
        if pk is None:
            raise NotFound()
        return get_object_or_404(self._subscriptions(), pk=pk)

    def _values(self, request, *, partial):
        data = s.FeedSubscriptionWriteSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        return data.service_values(request_workspace(request))

    @extend_schema(responses=s.FeedSubscriptionSerializer(many=True))
    def list(self, request):
        return Response(s.FeedSubscriptionSerializer(self._subscriptions(), many=True).data)

    @extend_schema(request=s.FeedSubscriptionWriteSerializer, responses={201: s.FeedSubscriptionSerializer})
    def create(self, request):
        values = self._values(request, partial=False)
        subscription = services.subscription_create(workspace=request_workspace(request), user=request.user, **values)
        return Response(s.FeedSubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.FeedSubscriptionSerializer)
    def retrieve(self, request, pk=None):
        return Response(s.FeedSubscriptionSerializer(self._subscription(pk)).data)

    @extend_schema(request=s.FeedSubscriptionWriteSerializer, responses=s.FeedSubscriptionSerializer)
    def partial_update(self, request, pk=None):
        subscription = self._subscription(pk)
        values = self._values(request, partial=True)
        updated = services.subscription_update(subscription=subscription, changes=values)
        return Response(s.FeedSubscriptionSerializer(updated).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, pk=None):
        services.subscription_delete(subscription=self._subscription(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=s.PollResultSerializer)
    @action(detail=True, methods=["post"])
    def poll(self, request, pk=None):
        """Poll the feed now (waits for the download, at most ~30 s) and answer what it found."""
        subscription = self._subscription(pk)
        result = services.poll(subscription_id=subscription.pk)
        return Response(s.PollResultSerializer.of(result, self._subscription(pk)))

    @extend_schema(responses=s.FeedItemSerializer(many=True))
    @action(detail=True, methods=["get"])
    def items(self, request, pk=None):
        """The items seen in the feed (newest first, the last 200) and the post each became."""
        rows = FeedItem.objects.filter(subscription=self._subscription(pk))[:ITEMS_SHOWN]
        return Response(s.FeedItemSerializer(rows, many=True).data)
