import logging
import os
import subprocess
import sys

from config.logging import RedactSecretsFilter


def _through_filter(message, *args):
    record = logging.LogRecord("t", logging.INFO, __file__, 1, message, args, None)
    RedactSecretsFilter().filter(record)
    return record.getMessage()


def test_it_redacts_oauth_codes_from_request_lines():
    line = _through_filter('"GET /api/v1/accounts/callback/x/?state=%s&code=%s HTTP/1.1" 200 512', "s3cr3tstate", "c0de-value")
    assert "c0de-value" not in line and "s3cr3tstate" not in line
    assert "/api/v1/accounts/callback/x/?state=[redacted]&code=[redacted]" in line


def test_it_redacts_pending_connection_tokens_from_paths_and_redirects():
    line = _through_filter('"GET /api/v1/accounts/connect/pending/%s/ HTTP/1.1" 200 90', "cmpl-Tok_1")
    redirect = _through_filter("Redirect to https://app.example/done?platform=x&status=pending&token=cmpl-Tok_2")
    assert "cmpl-Tok" not in line + redirect
    assert "/accounts/connect/pending/[redacted]/" in line and "&token=[redacted]" in redirect


def test_it_redacts_bearer_tokens_and_token_fields():
    line = _through_filter("headers={'Authorization': 'Bearer abc.def.ghi'} body=refresh_token=rt-123&x=1 password: hunter2")
    assert "abc.def.ghi" not in line and "rt-123" not in line and "hunter2" not in line


def test_it_redacts_the_meta_token_exchange_query():
    line = _through_filter("GET /v23.0/oauth/access_token?grant_type=fb_exchange_token&client_secret=app-s3cret&fb_exchange_token=EAAuser123")
    assert "EAAuser123" not in line and "app-s3cret" not in line and "grant_type=fb_exchange_token" in line


def test_runservers_request_log_goes_through_the_redacting_handler():
    # In a fresh process: pytest's own log capture rewires handlers in this one.
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('django.server').info('\"GET /cb/?code=%s HTTP/1.1\" 200', 'leaky-code')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"})
    assert "/cb/?code=[redacted]" in out.stderr and "leaky-code" not in out.stderr
