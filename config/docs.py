"""The API's documentation pages, served from drf-spectacular-sidecar's static files (no CDN), under
the site's Content-Security-Policy: /api/docs/ (Swagger UI) and /api/redoc/ (ReDoc)."""

from csp.constants import SELF, UNSAFE_INLINE
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI; its init script is a second request to the same URL (?script=), never inline."""

    template_name = "api_docs/swagger_ui.html"


class RedocView(SpectacularRedocView):
    """ReDoc injects its own <style> elements (styled-components), which no nonce can cover, and runs
    its search in a Web Worker made from a blob: URL: this page alone allows inline styles and blob:
    workers. Scripts stay 'self' only."""

    template_name = "api_docs/redoc.html"

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response._csp_replace = {"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]}
        return response
