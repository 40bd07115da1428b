"""Connected accounts API: list and read (viewers), rename / switch off / disconnect (admins).
Connecting an account is a separate flow (connect_views.py)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Membership
from social_media.models import ConnectedAccount, without_secrets
from social_media.services.accounts import account_disconnect, account_update

from .filters import ConnectedAccountFilter
from .serializers import ConnectedAccountSerializer
from .views import WorkspaceScopedMixin


class ConnectedAccountViewSet(WorkspaceScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ConnectedAccountSerializer
    write_role = Membership.Role.ADMIN
    filterset_class = ConnectedAccountFilter
    search_fields = ["platform_username", "display_name"]
    ordering_fields = ["created_at", "platform_username"]
    ordering = ["id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request user
            return ConnectedAccount.objects.none()
        return without_secrets(ConnectedAccount.objects.filter(workspace=self.workspace))

    def partial_update(self, request, *args, **kwargs):
        account = self.get_object()
        data = self.get_serializer(account, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        account_update(account=account, **data.validated_data)
        return Response(self.get_serializer(account).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], required_role=Membership.Role.ADMIN)
    def disconnect(self, request, pk=None):
        """Stop publishing to the account and forget its credentials; its waiting posts fail."""
        account_disconnect(account=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
