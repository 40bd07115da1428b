"""Every response under /api/ is JSON in the API's error shape, even when something breaks.

`ApiErrorMiddleware` gives each request an id (`request.request_id`, sent back as `X-Request-ID`).
An exception that escapes a view under /api/ is logged with that id and its traceback, and answered
`{"error": {"code": "server_error", "message": ..., "request_id": ...}}` with status 500: no
traceback, whatever DEBUG says. A body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413, any other
suspicious request a 400, in the same shape. `handler400`/`handler403`/`handler500` (config/urls.py)
do the same for errors raised outside views (in middleware); elsewhere Django's pages are kept.
"""

import logging
import sys
import uuid

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.template import TemplateDoesNotExist, loader
from django.utils.cache import add_never_cache_headers

from config import log_context

logger = logging.getLogger("config.errors")

API_PREFIX = "/api/"
SERVER_ERROR_MESSAGE = "Something went wrong on our side. If it keeps happening, report the request id."
TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def is_api(request):
    return request.path.startswith(API_PREFIX)


def request_id_of(request):
    return getattr(request, "request_id", None) or ""


def error_response(status, code, message, **extra):
    return JsonResponse({"error": {"code": code, "message": message, **extra}}, status=status)


def too_large_response():
    return error_response(413, "request_too_large", "The request body is larger than this server accepts.")


def server_error_response(request):
    return error_response(500, "server_error", SERVER_ERROR_MESSAGE, request_id=request_id_of(request))


def response_for(request, exc):
    """The JSON answer to an exception a view under /api/ did not handle, logging what needs it."""
    if isinstance(exc, TOO_LARGE):
        return too_large_response()
    if isinstance(exc, SuspiciousOperation):
        logger.warning("Suspicious request %s on %s: %s", request_id_of(request), request.path, exc.__class__.__name__)
        return error_response(400, "bad_request", "The request was refused as malformed.")
    logger.error("Server error %s on %s %s", request_id_of(request), request.method, request.path, exc_info=exc)
    return server_error_response(request)


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        log_context.begin(request_id=request.request_id)  # on every line logged for this request
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response

    def process_exception(self, request, exception):
        if not is_api(request):
            return None
        return response_for(request, exception)


# --- URLconf error handlers (errors raised outside views) -----------------------------------------
def _page(request, template_name, response_class, context):
    """An error page rendered without Django's default views: those are @requires_csrf_token, whose
    check reads a POST's whole body (every file of an upload to a temp file) just to render a 400/403."""
    try:
        body = loader.get_template(template_name).render(context, request)
    except TemplateDoesNotExist:
        body = f"<h1>{response_class.status_code}</h1>"
    return response_class(body)


def bad_request(request, exception=None):
    if is_api(request):
        return too_large_response() if isinstance(exception, TOO_LARGE) else error_response(400, "bad_request", "Bad request.")
    return _page(request, "400.html", HttpResponseBadRequest, {})


def permission_denied(request, exception=None):
    if is_api(request):
        return error_response(403, "permission_denied", "You do not have permission to perform this action.")
    return _page(request, "403.html", HttpResponseForbidden, {"exception": str(exception or "")})


def server_error(request):
    if is_api(request):
        # Django logged the traceback (django.request) just before calling this; tie the id to it.
        logger.error("Server error %s on %s %s", request_id_of(request), request.method, request.path, exc_info=sys.exc_info()[0] and sys.exc_info())
        return server_error_response(request)
    from django.views.defaults import server_error as page

    return page(request)


class NoStoreWhenSignedInMiddleware:
    """Answers to a signed-in person (a session on the web app, a bearer token or session on the API)
    carry `Cache-Control: no-store` (with private, no-cache, max-age=0), unless the view set its own
    Cache-Control: no browser history, back button or shared proxy keeps a copy of a private page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and self.signed_in(request):
            add_never_cache_headers(response)
        return response

    @staticmethod
    def signed_in(request):
        if "HTTP_AUTHORIZATION" in request.META:
            return True
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)
