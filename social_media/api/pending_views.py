"""Confirming a pending connection: GET /accounts/connect/pending/{token}/ lists what the OAuth
callback found, POST /accounts/connect/complete/ connects the chosen accounts. Both need the JWT of
the user who started the flow; anyone else's request is a 404 (services/pending.py)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from social_media.api.serializers import ConnectedAccountSerializer
from social_media.services.connect import ConnectError
from social_media.services.pending import (
    MAX_CANDIDATES, PendingConnectionGone, PendingConnectionNotFound, pending_connection_complete, pending_connection_get,
)


class ConnectionGone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This connection expired or was already completed; start connecting again."
    default_code = "connection_gone"


def _answer_error(exc):
    if isinstance(exc, PendingConnectionNotFound):
        raise exceptions.NotFound(exc.message)
    if isinstance(exc, PendingConnectionGone):
        raise ConnectionGone(exc.message)
    raise serializers.ValidationError({exc.field: [exc.message]})


class CandidateSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Pass it in `select` to connect this account.")
    platform = serializers.CharField()
    platform_username = serializers.CharField()
    display_name = serializers.CharField()


class PendingConnectionSerializer(serializers.Serializer):
    platform = serializers.CharField(help_text="The network whose authorization found these accounts.")
    workspace = serializers.IntegerField(source="workspace_id", help_text="Where the accounts will be connected.")
    expires_at = serializers.DateTimeField()
    candidates = CandidateSerializer(many=True)


class CompleteSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=100, help_text="The completion token the callback's redirect carried.")
    select = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, max_length=MAX_CANDIDATES,
        help_text="Keys of the candidates to connect; may be left out when there is only one.",
    )


class PendingConnectionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: PendingConnectionSerializer})
    def get(self, request, token):
        try:
            pending = pending_connection_get(user=request.user, token=token)
        except ConnectError as exc:
            _answer_error(exc)
        return Response(PendingConnectionSerializer(pending).data)


class CompleteConnectionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=CompleteSerializer,
        responses={201: inline_serializer("ConnectedAccounts", {"accounts": ConnectedAccountSerializer(many=True)})},
    )
    def post(self, request):
        data = CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            accounts = pending_connection_complete(
                user=request.user, token=data.validated_data["token"], select=data.validated_data.get("select"),
            )
        except ConnectError as exc:
            _answer_error(exc)
        body = ConnectedAccountSerializer(accounts, many=True, context={"request": request}).data
        return Response({"accounts": body}, status=status.HTTP_201_CREATED)
