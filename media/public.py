"""Signed, expiring URLs of one stored file, for networks that fetch media themselves (Instagram,
Threads) and for the library's previews.

With S3 storage: a presigned GET URL of that object. Otherwise: `PUBLIC_BASE_URL/media/public/<token>/`,
where the token (django.core.signing, its own salt) names exactly one stored file, its Content-Type and
its expiry; the view serves only that file, streamed. A token that was tampered with answers 404, an
expired one 410."""

from __future__ import annotations

import mimetypes
import time

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

SALT = "media.public-url"


def _is_s3(storage) -> bool:
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


def signed_url(name: str, mime_type: str = "", *, expires_in: int | None = None, storage=None) -> str:
    """A URL that serves the stored file `name` for `expires_in` seconds (MEDIA_PUBLIC_URL_SECONDS)."""
    storage = storage or default_storage
    expires_in = int(expires_in or settings.MEDIA_PUBLIC_URL_SECONDS)
    mime_type = mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if _is_s3(storage):
        return storage.url(name, parameters={"ResponseContentType": mime_type}, expire=expires_in)
    token = signing.dumps({"n": name, "t": mime_type, "e": int(time.time()) + expires_in}, salt=SALT, compress=True)
    return f"{settings.PUBLIC_BASE_URL}{reverse('media-public', args=[token])}"


def url_maker(name: str, mime_type: str):
    """A callable returning a fresh signed URL (MediaItem.public_url)."""
    return lambda: signed_url(name, mime_type)


@require_GET
def public_file(request, token):
    try:
        payload = signing.loads(token, salt=SALT)
        name, mime_type, expires = payload["n"], payload["t"], int(payload["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404("No such file.") from None
    if time.time() > expires:
        return HttpResponse("This link has expired.", status=410, content_type="text/plain")
    storage = default_storage
    if not storage.exists(name):
        raise Http404("No such file.")
    response = FileResponse(storage.open(name, "rb"), content_type=mime_type)
    response["Cache-Control"] = "private, max-age=0, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
