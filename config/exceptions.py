"""One JSON error shape for the whole API:

    {"error": {"code": "validation_error", "message": "...", "fields": {"field": ["..."]}}}

A body over the size limit is a 413 (`request_too_large`); an unexpected exception is a 500
(`server_error`) carrying a `request_id` that is also logged (config/middleware.py).
"""

from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

from config.middleware import TOO_LARGE


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than this server accepts."
    default_code = "request_too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The resource is in a state that does not allow this."
    default_code = "conflict"


def _message(detail):
    if isinstance(detail, list) and detail:
        return _message(detail[0])
    if isinstance(detail, dict) and detail:
        return _message(next(iter(detail.values())))
    return str(detail)


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, TOO_LARGE):
        exc = RequestTooLarge()
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError("The request was refused as malformed.")
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    body = {"code": getattr(exc, "default_code", "error"), "message": _message(detail)}
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = "validation_error"
        body["message"] = "Invalid input."
        body["fields"] = detail if isinstance(detail, dict) else {"non_field_errors": detail}
    elif isinstance(detail, dict) and "code" in detail and "detail" in detail:
        body["code"] = str(detail["code"])
        body["message"] = _message(detail["detail"])
    elif hasattr(detail, "code"):
        body["code"] = detail.code
    body.update(getattr(exc, "extra", None) or {})  # e.g. NetworkNotConfigured's missing_settings
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        body["retry_after"] = int(exc.wait)
    response.data = {"error": body}
    return response
