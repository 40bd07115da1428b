"""POST /accounts/connect/facebook/select/ {token, page_ids}: the Meta page-selection step. After a
Meta login the callback holds the user's Pages and their Instagram accounts as a pending connection;
this connects the ones named by id (Page ids and/or Instagram account ids). It is the generic
completion (POST /accounts/connect/complete/ with candidate keys) spelled in Meta's terms."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from social_media.api.pending_views import _answer_error
from social_media.api.serializers import ConnectedAccountSerializer
from social_media.services.connect import ConnectError
from social_media.services.pending import MAX_CANDIDATES, pending_connection_complete, pending_connection_get

META_PLATFORMS = ("facebook", "instagram")


class SelectPagesSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=100, help_text="The completion token the callback's redirect carried.")
    page_ids = serializers.ListField(child=serializers.CharField(max_length=100), min_length=1, max_length=MAX_CANDIDATES,
                                     help_text="Ids of the Facebook Pages and/or Instagram accounts to connect.")


class FacebookSelectView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=SelectPagesSerializer,
                   responses={201: inline_serializer("SelectedMetaAccounts", {"accounts": ConnectedAccountSerializer(many=True)})})
    def post(self, request):
        data = SelectPagesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        wanted = list(dict.fromkeys(data.validated_data["page_ids"]))
        try:
            pending = pending_connection_get(user=request.user, token=data.validated_data["token"])
            by_id = {c["platform_user_id"]: c["key"] for c in pending.candidates if c["platform"] in META_PLATFORMS}
            unknown = [page_id for page_id in wanted if page_id not in by_id]
            if unknown:
                raise ConnectError(f"Not among the Pages and Instagram accounts of this login: {', '.join(unknown[:5])}.", field="page_ids")
            accounts = pending_connection_complete(user=request.user, token=data.validated_data["token"],
                                                   select=[by_id[page_id] for page_id in wanted])
        except ConnectError as exc:
            _answer_error(exc)
        body = ConnectedAccountSerializer(accounts, many=True, context={"request": request}).data
        return Response({"accounts": body}, status=status.HTTP_201_CREATED)
