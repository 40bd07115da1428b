"""The OpenAPI schema as a generated client needs it (settings.REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]):

- every operation that acts in a workspace documents the optional `X-Workspace` header;
- every operation documents its error responses (400/401/403/404/409/413/415/429) with the one error
  shape (`ErrorResponse`, config/exceptions.py);
- a URL field that can be "" (a model URLField with blank=True) is a plain string, not `format: uri`.
"""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.permissions import AllowAny

WORKSPACE_HEADER = OpenApiParameter(
    name="X-Workspace",
    type=int,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Id of the workspace to act in (you must be a member); without it, your personal workspace.",
)


class JWTScheme(SimpleJWTScheme):
    """Our JWT authentication (accounts/authentication.py) is simplejwt's, documented as such."""

    target_class = "accounts.authentication.JWTAuthentication"


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable: validation_error, not_found, throttled, ...")
    message = serializers.CharField(help_text="For people.")
    fields = serializers.DictField(required=False, help_text="validation_error only: field name -> messages (nested for collections).")
    retry_after = serializers.IntegerField(required=False, help_text="throttled only: seconds to wait.")
    request_id = serializers.CharField(required=False, help_text="server_error only: quote it when reporting the problem.")
    missing_settings = serializers.ListField(child=serializers.CharField(), required=False, help_text="network_not_configured only.")


class ErrorResponseSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    400: "Invalid input: `fields` names each problem.",
    401: "Not authenticated: log in and send `Authorization: Bearer <access token>`.",
    403: "Your role in the workspace does not allow this.",
    404: "Not found (also: an object of a workspace you are not a member of).",
    409: "The object's state does not allow this.",
    413: "The request body is larger than this server accepts.",
    415: "The body's Content-Type is not one this operation takes (see its request body), or it cannot be parsed as that type (e.g. multipart without its boundary).",
    429: "A plan limit was reached; `retry_after` says when to try again.",
    422: "The writing assistant's model declined, or cannot read images.",
    502: "The writing assistant's model answered something that could not be used.",
    503: "The writing assistant is off on this server (the message names the settings that enable it), or its provider refused the server's credentials or quota.",
    504: "The writing assistant's model took too long.",
}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def uses_workspace(view):
    from accounts.permissions import WorkspaceRole

    return any(isinstance(p, type) and issubclass(p, WorkspaceRole) for p in getattr(view, "permission_classes", ()))


def is_anonymous(view):
    return any(p is AllowAny for p in getattr(view, "permission_classes", ()))


def may_be_blank(field):
    if getattr(field, "allow_blank", False):
        return True
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return False
    try:
        return model._meta.get_field(field.source).blank
    except FieldDoesNotExist:
        return False


class AutoSchema(SpectacularAutoSchema):
    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if uses_workspace(self.view):
            parameters.append(WORKSPACE_HEADER)
        return parameters

    def error_statuses(self):
        method = self.method.upper()
        statuses = {400, 404, 429}
        if not is_anonymous(self.view):
            statuses |= {401, 403}
        if method in UNSAFE_METHODS:
            statuses |= {409}
            if method != "DELETE":
                statuses |= {413, 415}
        statuses |= set(getattr(self.view, "error_statuses", ()))
        return sorted(statuses)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        error = self._get_response_for_code(ErrorResponseSerializer, "400", direction=direction)
        for status in self.error_statuses():
            if str(status) not in responses:
                responses[str(status)] = {**error, "description": ERROR_DESCRIPTIONS[status]}
        return responses

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions=bypass_extensions)
        if schema and schema.get("format") == "uri" and may_be_blank(field):
            del schema["format"]
        return schema

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)  # adds format: uri again from URLValidator
        if schema.get("format") == "uri" and may_be_blank(field):
            del schema["format"]
