"""Limits applied to an upload before and while its bytes arrive.

`UploadGateMiddleware` (in MIDDLEWARE after AuthenticationMiddleware) runs before any view or CSRF
check reads a body. On every path it refuses a declared body over the path's cap with 413: uploads
(UPLOAD_URL_NAMES and the admin) may send MAX_REQUEST_BYTES, anything else DATA_UPLOAD_MAX_MEMORY_SIZE
(what Django keeps in memory, so nothing of it reaches a temp file). On the web app's upload pages it
also checks sign-in and the workspace role first: CsrfViewMiddleware reads the whole form (every file
to a temp file) to look for the token, so a stranger's or a viewer's upload must be answered before
that. Django reads no more of a body than its Content-Length declares, and parses no form from a body
without one (chunked), so the declared length is the whole question. The proxy in front refuses
larger bodies first (docs/operations.md, nginx `client_max_body_size`). The API's upload reads its
body only after DRF authenticated the caller and checked the role (media/views.py).

Django writes each uploaded file to a temporary file before the view runs, so a view can only refuse an
oversize file after all of it has been received and stored. Put first among the request's upload
handlers (before anything reads request.POST or request.FILES), `UploadSizeLimit` skips a file as soon
as it passes MEDIA_MAX_UPLOAD_BYTES: none of the rest of it is stored, the other files of the request
are kept, and the skipped file's name is in `refused` for the view to report."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import Http404, HttpResponse, HttpResponseForbidden, HttpResponseNotFound, JsonResponse
from django.urls import Resolver404, resolve

from config.middleware import error_response, is_api
from config.numbers import digits

# Web app pages and API endpoints that take files; the admin (staff only) is treated as one too.
UPLOAD_URL_NAMES = {"webapp:library_upload", "webapp:compose", "webapp:edit", "media-upload"}


class UploadSizeLimit(FileUploadHandler):
    def __init__(self, request=None, limit=None):
        super().__init__(request)
        self.limit = settings.MEDIA_MAX_UPLOAD_BYTES if limit is None else limit
        self.refused = []
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.refused.append(self.file_name)
            raise SkipFile()
        return raw_data  # on to the next handler, which stores it

    def file_complete(self, file_size):
        return None  # the next handler makes the file


def human_bytes(size):
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024


def _upload_kind(request):
    """"web", "api" or "admin" for a path that takes files, else None."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.view_name in UPLOAD_URL_NAMES:
        return "api" if is_api(request) else "web"
    return "admin" if "admin" in match.namespaces else None


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def too_large(request, limit):
    message = f"The request is larger than this server accepts: at most {human_bytes(limit)} per upload."
    if is_api(request):
        return error_response(413, "request_too_large", message)
    if _wants_json(request):
        return JsonResponse({"ok": False, "uploaded": [], "errors": [message]}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


def _refuse_web(request):
    """The answer to a web upload by someone who may not upload here, or None; reads no body."""
    from accounts.models import Membership
    from webapp.context import session_membership

    user = request.user
    if not user.is_authenticated:
        if _wants_json(request):
            return JsonResponse({"ok": False, "uploaded": [], "errors": ["Sign in to upload."]}, status=401)
        return redirect_to_login(request.get_full_path())
    try:
        membership = session_membership(request)
    except Http404:
        return HttpResponseNotFound("You are not a member of any workspace.", content_type="text/plain; charset=utf-8")
    if not membership.has_role(Membership.Role.EDITOR):
        message = f"Your role ({membership.get_role_display()}) cannot upload here; ask a workspace editor or above."
        if _wants_json(request):
            return JsonResponse({"ok": False, "uploaded": [], "errors": [message]}, status=403)
        return HttpResponseForbidden(message, content_type="text/plain; charset=utf-8")
    return None


class UploadGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = digits(request.META.get("CONTENT_LENGTH")) or 0
        if declared:
            kind = _upload_kind(request)
            limit = settings.MAX_REQUEST_BYTES if kind else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if declared > limit:
                return too_large(request, limit)
            if kind == "web":
                refused = _refuse_web(request)
                if refused is not None:
                    return refused
            elif kind == "admin" and declared > settings.DATA_UPLOAD_MAX_MEMORY_SIZE and not (request.user.is_active and request.user.is_staff):
                return redirect_to_login(request.get_full_path(), "admin:login")  # a body that would reach a temp file
        return self.get_response(request)
