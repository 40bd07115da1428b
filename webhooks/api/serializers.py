from rest_framework import serializers

from config.datetimes import UTCDateTimeField
from config.sizes import BoundedListField
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.services import SUBSCRIBABLE


class WebhookEndpointSerializer(serializers.ModelSerializer):
    created_at = UTCDateTimeField(read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "events", "is_active", "consecutive_failures", "disabled_reason", "created_at"]
        read_only_fields = ["consecutive_failures", "disabled_reason", "created_at"]


class WebhookEndpointWriteSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=1000)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    events = BoundedListField(child=serializers.ChoiceField(choices=SUBSCRIBABLE), max_length=len(SUBSCRIBABLE), min_length=1)
    is_active = serializers.BooleanField(required=False)


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="whsec_… to verify signatures (Standard Webhooks); shown this once.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookAttemptSerializer(serializers.ModelSerializer):
    sent_at = UTCDateTimeField()

    class Meta:
        model = WebhookAttempt
        fields = ["sent_at", "status_code", "error", "duration_ms"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    created_at = UTCDateTimeField()
    delivered_at = UTCDateTimeField(allow_null=True)
    next_attempt_at = UTCDateTimeField(allow_null=True)
    tries = WebhookAttemptSerializer(many=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "message_id", "event_type", "status", "attempts", "last_status_code", "last_error", "created_at", "delivered_at", "next_attempt_at", "payload", "tries"]
