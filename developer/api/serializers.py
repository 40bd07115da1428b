from rest_framework import serializers

from config.datetimes import UTCDateTimeField
from developer.models import ApiToken


class ApiTokenSerializer(serializers.ModelSerializer):
    workspace = serializers.IntegerField(source="workspace_id", read_only=True)
    created_at = UTCDateTimeField(read_only=True)
    last_used_at = UTCDateTimeField(read_only=True, allow_null=True)
    expires_at = UTCDateTimeField(read_only=True, allow_null=True)
    revoked_at = UTCDateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "scope", "workspace", "created_at", "last_used_at", "expires_at", "revoked_at"]


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scope = serializers.ChoiceField(choices=ApiToken.Scope.choices, default=ApiToken.Scope.READ)
    expires_at = UTCDateTimeField(required=False, allow_null=True, default=None)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(help_text="The token itself: shown this once, stored only as its SHA-256.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
