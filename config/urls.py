from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from config.docs import RedocView, SwaggerView
from accounts.api.invitation_views import invitation_page
from config.health import health
from config.metrics import metrics_view
from media.public import public_file

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("metrics", metrics_view, name="metrics"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
    path("api/v1/", include("config.api_urls")),
    path("media/public/<str:token>/", public_file, name="media-public"),
    path("invitations/<str:token>/", invitation_page, name="invitation-page"),
    path("", include("approvals.urls")),  # /review/<token>/ (no account needed) and the post page's approval forms
    path("", include("webapp.urls")),  # the web app (login page when signed out)
]


def _not_found(request, exception=None):
    """JSON 404 in the API's error shape under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"error": {"code": "not_found", "message": "Not found."}}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


handler404 = _not_found
# JSON in the API's error shape under /api/ (config/middleware.py), Django's pages elsewhere.
handler400 = "config.middleware.bad_request"
handler403 = "config.middleware.permission_denied"
handler500 = "config.middleware.server_error"
