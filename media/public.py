"""Signed, expiring URLs of one stored file, for networks that fetch media themselves (Instagram,
Threads) and for the library's previews.

With S3 storage: a presigned GET URL of that object. Otherwise: `PUBLIC_BASE_URL/media/public/<token>/`,
where the token (django.core.signing, its own salt) names exactly one stored file, its Content-Type and
its expiry; the view serves only that file, streamed. A token that was tampered with answers 404, an
expired one 410."""

from __future__ import annotations

import mimetypes
import time
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.core.signals import setting_changed
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
    return _local_url(settings.PUBLIC_BASE_URL, name, mime_type, int(time.time()) + expires_in)


@lru_cache(maxsize=4096)
def _local_url(base_url: str, name: str, mime_type: str, expires: int) -> str:
    """Signing costs ~85 µs (JSON, zlib, HMAC) and a page of posts asks for up to 200 URLs; a token
    depends only on these arguments, whose expiry moves once a second, so every request of that second
    reuses it. The URL is the one a fresh signature would give, to the byte."""
    token = signing.dumps({"n": name, "t": mime_type, "e": expires}, salt=SALT, compress=True)
    return f"{base_url}{reverse('media-public', args=[token])}"


def _forget_signed_urls(*, setting, **kwargs):
    if setting in ("SECRET_KEY", "SECRET_KEY_FALLBACKS", "ROOT_URLCONF"):
        _local_url.cache_clear()


setting_changed.connect(_forget_signed_urls)


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
