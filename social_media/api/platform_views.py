"""GET /api/v1/platforms/: the networks this server knows, for a composer or a connect page that has
no account yet. Authenticated; no workspace needed (nothing in it belongs to one)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from social_media.services.platforms import platform_catalog


class PlatformSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The registry key, as in ConnectedAccount.platform.")
    label = serializers.CharField()
    enabled = serializers.BooleanField(help_text="False when <KEY>_ENABLED switches the network off.")
    configured = serializers.BooleanField(help_text="Whether the server has the app credentials connecting needs.")
    missing_settings = serializers.ListField(child=serializers.CharField(), help_text="Names of the unset settings (never values).")
    connect_style = serializers.ChoiceField(choices=["oauth", "password"])
    content_limits = serializers.DictField(help_text="The network's published limits: max_characters, character_counting, media counts and sizes.")


class PlatformListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PlatformSerializer(many=True))
    def get(self, request):
        """Every registered network, in registry order."""
        return Response(PlatformSerializer(platform_catalog(), many=True).data)
