"""The OpenAPI schema a generated client is built from (config/schema.py): the X-Workspace header
where it applies, the error responses with the error shape, and no `format: uri` on fields that can
be ""."""

import pytest

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "patch", "put", "delete"}
ANONYMOUS = {"/api/v1/auth/register/", "/api/v1/auth/login/", "/api/v1/auth/refresh/", "/api/v1/auth/logout/", "/api/v1/invitations/signup/"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        return APIClient().get("/api/schema/?format=json").json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def header_names(operation):
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}


WORKSPACE_OPERATIONS = [
    ("get", "/api/v1/posts/"), ("post", "/api/v1/posts/"), ("patch", "/api/v1/posts/{id}/"),
    ("post", "/api/v1/posts/{id}/schedule/"), ("get", "/api/v1/queues/"), ("post", "/api/v1/queues/{id}/reorder/"),
    ("get", "/api/v1/accounts/"), ("post", "/api/v1/accounts/connect/{platform}/"), ("get", "/api/v1/media/"),
    ("get", "/api/v1/analytics/overview/"),
]
NO_WORKSPACE_OPERATIONS = [
    ("post", "/api/v1/auth/login/"), ("get", "/api/v1/auth/me/"), ("get", "/api/v1/platforms/"),
    ("post", "/api/v1/accounts/connect/complete/"),  # the pending connection names its workspace
]


@pytest.mark.parametrize("method, path", WORKSPACE_OPERATIONS)
def test_operations_acting_in_a_workspace_document_the_header(schema, method, path):
    assert "X-Workspace" in header_names(schema["paths"][path][method])


@pytest.mark.parametrize("method, path", NO_WORKSPACE_OPERATIONS)
def test_operations_outside_workspaces_do_not(schema, method, path):
    assert "X-Workspace" not in header_names(schema["paths"][path][method])


def test_every_operation_documents_its_errors_with_the_error_shape(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        expected = {"400", "404", "429"}
        if path not in ANONYMOUS:
            expected |= {"401", "403"}
        if method in {"post", "patch", "delete"}:
            expected |= {"409"}
        assert expected <= set(responses), (method, path, sorted(responses))
        for status in expected:
            ref = responses[status]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/ErrorResponse", (method, path, status)


def test_the_error_shape_component_matches_config_exceptions(schema):
    error = schema["components"]["schemas"]["ErrorResponse"]
    assert error["required"] == ["error"]
    detail = schema["components"]["schemas"][error["properties"]["error"]["$ref"].rsplit("/", 1)[1]]
    assert {"code", "message"} <= set(detail["required"])
    assert {"fields", "retry_after", "request_id", "missing_settings"} <= set(detail["properties"])


def test_fields_that_can_be_empty_are_not_format_uri(schema):
    components = schema["components"]["schemas"]
    assert "format" not in components["ConnectedAccount"]["properties"]["instance_url"]
    assert "format" not in components["PostTarget"]["properties"]["platform_post_url"]
    assert components["AuthorizationUrl"]["properties"]["authorization_url"]["format"] == "uri"  # never empty
