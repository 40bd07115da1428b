"""The project's URLconf plus views that raise, for the error-handling tests (pytest.mark.urls)."""

from django.http import HttpResponse
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import handler400, handler403, handler404, handler500, urlpatterns as project_urlpatterns  # noqa: F401

SECRET_IN_MESSAGE = "db password hunter2 in the exception message"


class RaisingApiView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def get(self, request):
        raise RuntimeError(SECRET_IN_MESSAGE)

    def post(self, request):
        return Response({"received": request.data})


def raising_plain_view(request):
    raise KeyError(SECRET_IN_MESSAGE)


def raising_page(request):
    raise RuntimeError(SECRET_IN_MESSAGE)


def form_view(request):
    return HttpResponse(str(len(request.POST)))


urlpatterns = [
    path("api/v1/test/raise/", RaisingApiView.as_view()),
    path("api/v1/test/raise-plain/", raising_plain_view),
    path("api/v1/test/form/", form_view),
    path("not-api/raise/", raising_page),
    *project_urlpatterns,
]
