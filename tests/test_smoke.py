from django.db import connection


def test_it_runs_on_postgresql(db):
    assert connection.vendor == "postgresql"


def test_the_openapi_schema_lists_every_api_path(client, db):
    answer = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert answer.status_code == 200
    paths = answer.json()["paths"]
    for path in [
        "/api/v1/auth/register/", "/api/v1/auth/login/", "/api/v1/workspaces/{workspace_pk}/members/{user_id}/", "/api/v1/accounts/connect/{platform}/",
        "/api/v1/posts/{id}/schedule/", "/api/v1/posts/{id}/publish-now/", "/api/v1/queues/{id}/add-post/",
        "/api/v1/media/upload/", "/api/v1/analytics/overview/", "/api/v1/analytics/posts/{id}/history/",
    ]:
        assert path in paths, path
    assert client.get("/api/docs/").status_code == 200


def test_an_unknown_api_path_answers_json_404(client, db):
    answer = client.get("/api/v1/no-such-thing/")
    assert answer.status_code == 404
    assert answer.json() == {"error": {"code": "not_found", "message": "Not found."}}
