"""Idempotency-Key on creates: a retried request with the same key answers the first result and creates
nothing new; the same key with another request is a 409.

The whole request runs in one transaction that first inserts the key's row. A retry arriving while the
first is still running waits on that row's lock, then either finds the stored answer (the first
committed) or no row (it rolled back) and runs itself. So two concurrent requests with one key never
both create, and a crash leaves no stale lock. 2xx and 4xx answers are kept (a retry of a refused
request is refused the same way); 5xx and 429 are not, so the client can simply retry."""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError

from accounts.context import request_workspace

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class KeyReused(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was already used for a different request; use a new key for a new request."


def fingerprint(request) -> str:
    """The method, path and body: JSON canonically, form fields by value, files by name, size and SHA-256."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    data = request.data
    if hasattr(data, "lists"):
        files = getattr(request, "FILES", {})
        parts = {key: values for key, values in data.lists() if key not in files}
        for name, uploads in files.lists():
            parts[name] = [[upload.name, upload.size, _file_hash(upload)] for upload in uploads]
        data = parts
    digest.update(json.dumps(data, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _file_hash(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


class IdempotentMixin:
    """For a DRF view: the actions in `idempotent_actions` honour an Idempotency-Key header."""

    idempotent_actions: tuple[str, ...] = ("create",)

    def _wants_idempotency(self, request):
        return request.method == "POST" and HEADER.lower() in {k.lower() for k in request.headers}

    def dispatch(self, request, *args, **kwargs):
        if not self._wants_idempotency(request):
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            record = getattr(self, "_idempotency_record", None)
            if record is not None and not getattr(self, "_idempotency_replayed", False):
                if response.status_code >= 500 or response.status_code == 429:
                    transaction.set_rollback(True)  # nothing kept: the retry runs afresh
                else:
                    response.render()
                    record.status_code = response.status_code
                    record.response_content = response.content.decode()
                    record.content_type = response.get("Content-Type", "application/json")
                    record.save(update_fields=["status_code", "response_content", "content_type"])
            return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if getattr(self, "action", None) not in self.idempotent_actions or not self._wants_idempotency(request):
            return
        key = request.headers.get(HEADER, "").strip()
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            raise ValidationError({HEADER: [f"Give a key of 1 to {MAX_KEY_LENGTH} printable characters, e.g. a UUID."]})
        workspace = request_workspace(request)
        print_ = fingerprint(request)
        cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
        IdempotencyRecord.objects.filter(workspace=workspace, key=key, created_at__lt=cutoff).delete()
        try:
            with transaction.atomic():
                self._idempotency_record = IdempotencyRecord.objects.create(workspace=workspace, key=key, fingerprint=print_)
            return
        except IntegrityError:
            pass
        # Another request with this key: wait for it to finish (its row lock), then read what it kept.
        existing = IdempotencyRecord.objects.select_for_update().filter(workspace=workspace, key=key).first()
        if existing is None:  # it rolled back meanwhile: this request is the first now
            self._idempotency_record = IdempotencyRecord.objects.create(workspace=workspace, key=key, fingerprint=print_)
            return
        if existing.fingerprint != print_:
            raise KeyReused()
        self._idempotency_replayed = True
        raise _Replay(existing)

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            record = exc.record
            response = HttpResponse(record.response_content, status=record.status_code, content_type=record.content_type)
            response["Idempotent-Replayed"] = "true"
            return response
        return super().handle_exception(exc)


class _Replay(Exception):
    def __init__(self, record):
        super().__init__("replay")
        self.record = record


def purge_expired() -> int:
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
