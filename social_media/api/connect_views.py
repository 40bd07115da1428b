"""Connect flows: POST /accounts/connect/{platform}/ and the OAuth callback the browser returns to."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.context import request_membership
from accounts.models import Membership
from accounts.permissions import WorkspaceRole
from social_media.platforms import PLATFORMS
from social_media.services.connect import OAUTH_PLATFORMS, PASSWORD_PLATFORMS, ConnectError, connect_finish, connect_start, connect_with_password


class ConnectSerializer(serializers.Serializer):
    instance_url = serializers.CharField(required=False, allow_blank=True, max_length=300)
    handle = serializers.CharField(required=False, max_length=253)
    app_password = serializers.CharField(required=False, max_length=200, write_only=True)
    service_url = serializers.CharField(required=False, allow_blank=True, max_length=300)

    def validate(self, attrs):
        platform = self.context["platform"]
        if platform == "mastodon" and not attrs.get("instance_url"):
            raise serializers.ValidationError({"instance_url": ["This field is required."]})
        if platform in PASSWORD_PLATFORMS:
            missing = {f: ["This field is required."] for f in ("handle", "app_password") if not attrs.get(f)}
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class ConnectView(APIView):
    permission_classes = [WorkspaceRole]
    required_role = Membership.Role.ADMIN

    @extend_schema(request=ConnectSerializer, responses={200: inline_serializer("AuthorizationUrl", {"authorization_url": serializers.URLField()})})
    def post(self, request, platform):
        from social_media.api.serializers import ConnectedAccountSerializer

        if platform not in PLATFORMS or not getattr(settings, f"{platform.upper()}_ENABLED", True):
            return Response({"error": {"code": "not_found", "message": f"Unknown or disabled platform '{platform}'."}}, status=404)
        data = ConnectSerializer(data=request.data, context={"platform": platform})
        data.is_valid(raise_exception=True)
        workspace = request_membership(request).workspace
        try:
            if platform in OAUTH_PLATFORMS:
                url = connect_start(user=request.user, workspace=workspace, platform=platform, instance_url=data.validated_data.get("instance_url", ""))
                return Response({"authorization_url": url})
            account, created = connect_with_password(
                user=request.user, workspace=workspace, platform=platform,
                identifier=data.validated_data["handle"], password=data.validated_data["app_password"],
                service_url=data.validated_data.get("service_url", ""),
            )
        except ConnectError as exc:
            raise serializers.ValidationError({exc.field: [exc.message]})
        body = ConnectedAccountSerializer(account, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class CallbackView(APIView):
    """Reached by the browser's redirect from the network, without a JWT: the state names the user
    and workspace. Nothing is connected here: the account(s) found wait as a pending connection that
    the same user confirms while signed in. A flow started from the web app goes on to the web app's
    confirmation page (or back to its Accounts page with the error). An API flow redirects to
    FRONTEND_URL with `status=pending` and the one-time completion `token` (or `status=error` and a
    `message`), or renders a small page with the token for the API client."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(exclude=True)
    def get(self, request, platform):
        params = request.query_params
        pending, token, message = None, "", ""
        try:
            if platform not in OAUTH_PLATFORMS:
                raise ConnectError("Unknown platform.")
            finished = connect_finish(
                platform=platform, state=params.get("state", ""), code=params.get("code", ""),
                error=params.get("error", ""), error_description=params.get("error_description", ""),
            )
        except ConnectError as exc:
            if exc.from_webapp:
                messages.error(request._request, exc.message)
                return _no_store(HttpResponseRedirect(reverse("webapp:accounts")))
            message = exc.message
        else:
            if finished.from_webapp:
                return _no_store(HttpResponseRedirect(reverse("webapp:connect_complete", kwargs={"token": finished.token})))
            pending, token = finished.pending, finished.token
        outcome = {"platform": platform, "status": "pending" if pending else "error"}
        if pending:
            outcome["token"] = token
        else:
            outcome["message"] = message
        if settings.FRONTEND_URL:
            return HttpResponseRedirect(f"{settings.FRONTEND_URL}?{urlencode(outcome)}")
        context = {"outcome": outcome, "pending": pending, "token": token}
        return _no_store(render(request, "social_media/connect_result.html", context, status=200 if pending else 400))


def _no_store(response):
    """The callback's answers carry the code's outcome (a completion token): never cached, never
    sent on as a referrer."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
