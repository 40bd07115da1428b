"""A JSON body nested beyond config.parsers.MAX_JSON_DEPTH is a 400 before the parser recurses."""

import pytest

from config.parsers import MAX_JSON_DEPTH, TooDeeplyNested, json_depth, loads

pytestmark = pytest.mark.django_db


def nested(levels, opener="[", closer="]"):
    return opener * levels + closer * levels


def test_it_answers_400_to_950_levels_on_login(api):
    body = nested(950)
    assert len(body) < 2048

    response = api.post("/api/v1/auth/login/", body, content_type="application/json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "parse_error"
    assert str(MAX_JSON_DEPTH) in error["message"]


def test_it_answers_400_to_deep_objects_inside_a_real_body(auth_api):
    deep = '{"a":' * 5000 + "1" + "}" * 5000
    response = auth_api.post("/api/v1/posts/", '{"content": "x", "custom_content": ' + deep + "}", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_it_still_parses_bodies_within_the_limit(api, user):
    user.set_password("a-long-enough-password")
    user.save()
    padding = nested(MAX_JSON_DEPTH - 1)
    body = f'{{"username": "{user.username}", "password": "a-long-enough-password", "extra": {padding}}}'

    response = api.post("/api/v1/auth/login/", body, content_type="application/json")

    assert response.status_code == 200, response.content
    assert "access" in response.json()


def test_brackets_inside_strings_do_not_count():
    text = '{"content": "' + "[" * 10_000 + '\\"' + "{" * 100 + '"}'
    assert json_depth(text) == 1
    assert loads(text)["content"].startswith("[[[")


def test_loads_refuses_what_the_parser_refuses():
    too_deep = '{"a":' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1)
    with pytest.raises(TooDeeplyNested):
        loads(too_deep)
    assert json_depth(nested(MAX_JSON_DEPTH)) == MAX_JSON_DEPTH
    assert loads(nested(3)) == [[[]]]
