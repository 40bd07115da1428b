from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.context import request_workspace
from developer import services
from developer.models import ApiToken

from .serializers import ApiTokenCreatedSerializer, ApiTokenCreateSerializer, ApiTokenSerializer


class ApiTokenViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your personal API tokens. A token is created for the workspace the request acts in (X-Workspace,
    else your personal one); tokens cannot manage tokens (sign in for that)."""

    permission_classes = [IsAuthenticated]
    serializer_class = ApiTokenSerializer
    pagination_class = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if isinstance(request.auth, ApiToken):
            raise PermissionDenied("API tokens cannot manage API tokens; sign in to do this.")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user)

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request):
        data = ApiTokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, raw = services.token_create(user=request.user, workspace=request_workspace(request), **data.validated_data)
        token.token = raw
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)])
    def destroy(self, request, pk=None):
        token = get_object_or_404(self.get_queryset(), pk=pk)
        services.token_revoke(token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
