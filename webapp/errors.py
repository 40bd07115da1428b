"""Turn what the services raise into errors shown next to the form's fields.

Services raise DRF's ValidationError (dict of field -> messages), Conflict (409), Throttled (the plan's
daily quota), NotFound, Django's ValidationError, accounts' AccountsError and connect's ConnectError.
A field the form does not have becomes a form-wide error, so nothing the service said is lost."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import APIException, ValidationError

from accounts.services import AccountsError
from social_media.services.connect import ConnectError

SERVICE_ERRORS = (APIException, DjangoValidationError, AccountsError, ConnectError)


def _flatten(detail):
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _flatten(value)]
    if isinstance(detail, (list, tuple)):
        return [m for value in detail for m in _flatten(value)]
    return [str(detail)]


def service_messages(exc):
    """{field: [messages]} of a service error; field None means the whole form."""
    if isinstance(exc, ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            return {key: _flatten(value) for key, value in detail.items()}
        return {None: _flatten(detail)}
    if isinstance(exc, APIException):
        return {None: _flatten(exc.detail)}
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return {key: list(messages) for key, messages in exc.message_dict.items()}
        return {None: list(exc.messages)}
    if isinstance(exc, ConnectError):
        return {exc.field: [exc.message]}
    return {None: [exc.message]}


def add_service_errors(form, exc, *, aliases=None):
    """Put the service's messages on `form` (aliases map a service field name to a form field)."""
    aliases = aliases or {}
    for key, messages in service_messages(exc).items():
        field = aliases.get(key, key)
        if field not in form.fields:
            messages = [f"{m}" for m in messages]
            field = None
        for message in messages:
            form.add_error(field, message)
    return form


def flash_service_error(request, exc):
    from django.contrib import messages

    for field_messages in service_messages(exc).values():
        for message in field_messages:
            messages.error(request, message)


def run_service(request, call, success):
    """Call `call()`; flash `success` (a string, or a function of the result) or what the service refused."""
    from django.contrib import messages

    try:
        result = call()
    except SERVICE_ERRORS as exc:
        flash_service_error(request, exc)
        return False
    messages.success(request, success(result) if callable(success) else success)
    return True
