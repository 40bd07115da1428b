"""One JSON error shape for the whole API:

    {"error": {"code": "validation_error", "message": "...", "fields": {"field": ["..."]}}}
"""

from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.views import exception_handler


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
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        body["retry_after"] = int(exc.wait)
    response.data = {"error": body}
    return response
