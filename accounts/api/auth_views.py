from django.conf import settings
from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework_simplejwt.views import TokenObtainPairView, TokenViewBase

from accounts import services

from .jwt import LimitedLoginSerializer, LogoutSerializer, RotatingRefreshSerializer
from .serializers import MeUpdateSerializer, RegisterSerializer, UserSerializer


class RegisterView(generics.GenericAPIView):
    """Create an account (and its personal workspace). Anonymous; limited per client IP. Only when the
    server has REGISTRATION_ENABLED on (404 otherwise, as the web app's /register/)."""

    authentication_classes = ()
    permission_classes = (permissions.AllowAny,)
    serializer_class = RegisterSerializer

    @extend_schema(responses={201: UserSerializer})
    def post(self, request):
        if not settings.REGISTRATION_ENABLED:
            raise NotFound("Registration is turned off on this server; ask its staff or a workspace admin for an invitation.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.save()
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class NoStoreMixin:
    """Responses that carry tokens: no cache (browser, proxy) may keep them (Cache-Control: no-store)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response


class LoginView(NoStoreMixin, TokenObtainPairView):
    """Exchange username and password for an access and a refresh token. Limited per client IP and,
    for wrong passwords, per account (accounts/login_limits.py)."""

    serializer_class = LimitedLoginSerializer


class RefreshView(NoStoreMixin, TokenViewBase):
    """Exchange a refresh token for a new pair; the presented token is spent (rotation + blacklist)."""

    serializer_class = RotatingRefreshSerializer


class LogoutView(TokenViewBase):
    """Blacklist a refresh token. Holding the token is what authorises revoking it."""

    serializer_class = LogoutSerializer

    @extend_schema(responses={205: None})
    def post(self, request, *args, **kwargs):
        super().post(request, *args, **kwargs)
        return Response(status=status.HTTP_205_RESET_CONTENT)


class MeView(generics.GenericAPIView):
    """The logged-in user with their workspaces and roles; PATCH changes the time zone."""

    serializer_class = UserSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(request=MeUpdateSerializer, responses={200: UserSerializer})
    def patch(self, request):
        serializer = MeUpdateSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_update(user=request.user, **serializer.validated_data)
        return Response(UserSerializer(user).data)
