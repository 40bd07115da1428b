"""LOG_FORMAT=json: one object a line, naming the request, workspace, post, target, attempt and worker
it is about, with secrets and OAuth codes redacted in the message and the exception alike."""

import io
import json
import logging
import os
import subprocess
import sys

import pytest

from config.log_context import ContextFilter, JsonFormatter, bound, set_process_fields
from config.logging import RedactSecretsFilter
from social_media.services.publishing import target_publish
from tests.engine.conftest import due_target


@pytest.fixture
def json_lines():
    """A JSON handler on the root logger, as settings.LOGGING builds it with LOG_FORMAT=json."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactSecretsFilter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(previous)


def test_a_line_is_json_with_its_context_and_no_secrets(json_lines):
    set_process_fields(worker="w1@host")
    with bound(request_id="r-1", workspace_id=4, target_id=9):
        logging.getLogger("t").warning("callback /cb/?code=%s and access_token=%s", "leaky-code", "tok-123")
        try:
            raise RuntimeError("refused Bearer abc.def.ghi")
        except RuntimeError:
            logging.getLogger("t").exception("failed")
    logging.getLogger("t").warning("outside")
    first, second, third = json_lines()
    assert first["level"] == "WARNING" and first["logger"] == "t"
    assert (first["request_id"], first["workspace_id"], first["target_id"], first["worker"]) == ("r-1", 4, 9, "w1@host")
    assert "leaky-code" not in json.dumps(first) and "tok-123" not in json.dumps(first)
    assert "abc.def.ghi" not in second["exception"] and "RuntimeError" in second["exception"]
    assert "target_id" not in third and third["worker"] == "w1@host"  # bound fields end with their block


@pytest.mark.django_db
def test_an_api_request_names_its_request_id_and_workspace(json_lines, auth_api, workspace):
    response = auth_api.get("/api/v1/posts/999999/")
    assert response.status_code == 404
    (line,) = [l for l in json_lines() if l["logger"] == "django.request"]
    assert line["request_id"] == response["X-Request-ID"] and line["workspace_id"] == workspace.pk


@pytest.mark.django_db(transaction=True)
def test_a_publish_names_its_workspace_post_target_and_attempt(json_lines, mastodon_account, mastodon_fake):
    target = due_target(mastodon_account, "Logged")
    target_publish(target_id=target.id)
    (line,) = [l for l in json_lines() if l["message"].startswith("publish attempt")]
    attempt = target.attempts.get()
    assert (line["workspace_id"], line["post_id"], line["target_id"], line["attempt_id"]) == (mastodon_account.workspace_id, target.post_id, target.id, attempt.id)


def test_the_setting_switches_the_formatter_in_a_fresh_process():
    code = "import django, logging; django.setup(); logging.getLogger('x').warning('hello password=%s', 'hunter2')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "LOG_FORMAT": "json"})
    line = json.loads(out.stderr.strip().splitlines()[-1])
    assert line["message"] == "hello password=[redacted]" and line["level"] == "WARNING"
