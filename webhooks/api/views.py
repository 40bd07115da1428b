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
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint

from . import serializers as s


class WebhookEndpointViewSet(viewsets.GenericViewSet):
    """The workspace's webhook endpoints (admins and owners). Deliveries are signed with the endpoint's
    secret, Standard Webhooks style; docs/operations.md "Webhooks" shows how to verify them."""

    permission_classes = [IsAuthenticated, WorkspaceRole]
    queryset = WebhookEndpoint.objects.none()  # the schema's model; requests use _endpoints()
    serializer_class = s.WebhookEndpointSerializer
    pagination_class = None
    read_role = Membership.Role.ADMIN
    write_role = Membership.Role.ADMIN

    def _endpoints(self):
        return WebhookEndpoint.objects.filter(workspace=request_workspace(self.request))

    def _endpoint(self, pk):
        endpoint_id = parse_id(pk)  # not a whole id in bigint range: no such endpoint (never a 500)
        if endpoint_id is None:
            raise NotFound()
        return get_object_or_404(self._endpoints(), pk=endpoint_id)

    @extend_schema(responses=s.WebhookEndpointSerializer(many=True))
    def list(self, request):
        return Response(s.WebhookEndpointSerializer(self._endpoints(), many=True).data)

    @extend_schema(request=s.WebhookEndpointWriteSerializer, responses={201: s.WebhookEndpointCreatedSerializer})
    def create(self, request):
        data = s.WebhookEndpointWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        endpoint = services.endpoint_create(workspace=request_workspace(request), user=request.user, url=values["url"],
                                            events=values["events"], description=values.get("description", ""))
        return Response(s.WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.WebhookEndpointSerializer)
    def retrieve(self, request, pk=None):
        return Response(s.WebhookEndpointSerializer(self._endpoint(pk)).data)

    @extend_schema(request=s.WebhookEndpointWriteSerializer, responses=s.WebhookEndpointSerializer)
    def partial_update(self, request, pk=None):
        endpoint = self._endpoint(pk)
        data = s.WebhookEndpointWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(s.WebhookEndpointSerializer(services.endpoint_update(endpoint=endpoint, changes=data.validated_data)).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, pk=None):
        self._endpoint(pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={202: s.WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Send a `webhook.test` event to the endpoint now."""
        delivery = services.emit_test(endpoint=self._endpoint(pk))
        return Response(s.WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=s.WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """The endpoint's last 100 deliveries with every try's status."""
        endpoint = self._endpoint(pk)
        rows = WebhookDelivery.objects.filter(endpoint=endpoint).prefetch_related("tries")[:100]
        return Response(s.WebhookDeliverySerializer(rows, many=True).data)
