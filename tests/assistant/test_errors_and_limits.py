"""What the user sees when the assistant cannot answer: off, provider errors, the daily quota."""

import pytest

from assistant.models import AssistantRequest
from tests.factories import MediaFileFactory

from .conftest import variants

pytestmark = pytest.mark.django_db
CAPTIONS = "/api/v1/assistant/captions/"


def _endpoints(x_account, media):
    return [
        ("/api/v1/assistant/captions/", {"brief": "b", "account_ids": [x_account.pk]}),
        ("/api/v1/assistant/adapt/", {"content": "c", "account_ids": [x_account.pk]}),
        ("/api/v1/assistant/hashtags/", {"content": "c", "account_id": x_account.pk}),
        ("/api/v1/assistant/alt-text/", {"media_id": media.pk}),
    ]


def test_with_no_provider_every_feature_says_which_settings_enable_it(auth_api, x_account, workspace, settings):
    settings.ASSISTANT_PROVIDER = ""
    media = MediaFileFactory(workspace=workspace)
    for url, body in _endpoints(x_account, media):
        response = auth_api.post(url, body, format="json")
        assert response.status_code == 503, url
        error = response.json()["error"]
        assert error["code"] == "assistant_not_configured"
        assert "ASSISTANT_PROVIDER" in error["message"] and "OPENAI_API_KEY" in error["message"]
    assert not AssistantRequest.objects.exists()


def test_a_provider_named_without_its_key_is_still_off(auth_api, x_account, settings):
    settings.ASSISTANT_PROVIDER, settings.GEMINI_API_KEY = "gemini", ""
    assert auth_api.post(CAPTIONS, {"brief": "b", "account_ids": [x_account.pk]}, format="json").status_code == 503


@pytest.mark.parametrize(
    ("script", "status", "code", "phrase"),
    [
        (lambda f: f.rate_limited(retry_after="17"), 429, "assistant_rate_limited", "busy"),
        (lambda f: f.quota_exhausted(), 503, "assistant_quota_exhausted", "quota"),
        (lambda f: f.refuse(), 422, "assistant_refused", "declined"),
        (lambda f: f.answer_raw("Sure! Here are your captions: 1. ..."), 502, "assistant_invalid_output", "expected form"),
        (lambda f: f.answer_raw('{"variants": [', finish_reason="length"), 502, "assistant_invalid_output", "cut off"),
    ],
)
def test_openai_errors_are_a_sentence_and_a_usage_row(auth_api, openai_fake, x_account, script, status, code, phrase):
    script(openai_fake)
    response = auth_api.post(CAPTIONS, {"brief": "b", "account_ids": [x_account.pk], "n": 1}, format="json")
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code and phrase in error["message"]
    assert "rate_limit_exceeded" not in response.content.decode() and "Limit 3" not in response.content.decode()
    row = AssistantRequest.objects.get()
    assert row.outcome == code.removeprefix("assistant_") and row.calls == 1


def test_a_rate_limit_passes_on_the_providers_retry_after(auth_api, openai_fake, x_account):
    openai_fake.rate_limited(retry_after="17")
    response = auth_api.post(CAPTIONS, {"brief": "b", "account_ids": [x_account.pk]}, format="json")
    assert response.status_code == 429
    assert response["Retry-After"] == "17" and response.json()["error"]["retry_after"] == 17
    assert AssistantRequest.objects.get().outcome == "rate_limited"


@pytest.mark.parametrize(
    ("script", "status", "outcome", "retry"),
    [
        (lambda f: f.rate_limited(retry_delay="32s"), 429, "rate_limited", "32"),
        (lambda f: f.quota_exhausted(), 503, "quota_exhausted", None),
        (lambda f: f.block_prompt(), 422, "refused", None),
        (lambda f: f.answer_raw("not json"), 502, "invalid_output", None),
    ],
)
def test_gemini_errors_are_mapped_from_googles_error_model(auth_api, gemini_fake, x_account, script, status, outcome, retry):
    script(gemini_fake)
    response = auth_api.post(CAPTIONS, {"brief": "b", "account_ids": [x_account.pk], "n": 1}, format="json")
    assert response.status_code == status
    assert response.get("Retry-After") == retry
    assert "RESOURCE_EXHAUSTED" not in response.content.decode()
    assert AssistantRequest.objects.get().outcome == outcome


@pytest.mark.parametrize("provider", ["openai", "gemini"])
def test_a_slow_model_is_a_timeout(auth_api, request, x_account, settings, provider):
    fake = request.getfixturevalue(f"{provider}_fake")
    settings.ASSISTANT_TIMEOUT_SECONDS = 1
    fake.slow(2.5)
    response = auth_api.post(CAPTIONS, {"brief": "b", "account_ids": [x_account.pk], "n": 1}, format="json")
    assert response.status_code == 504
    assert response.json()["error"]["code"] == "assistant_timeout"
    assert AssistantRequest.objects.get().outcome == "timeout"


@pytest.mark.parametrize("provider", ["openai", "gemini"])
def test_a_wrong_key_is_the_operators_problem_not_the_users(auth_api, request, x_account, settings, provider):
    request.getfixturevalue(f"{provider}_fake")
    setattr(settings, f"{provider.upper()}_API_KEY", "wrong-key")
    response = auth_api.post(CAPTIONS, {"brief": "b", "account_ids": [x_account.pk], "n": 1}, format="json")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "assistant_misconfigured"


def test_the_daily_quota_is_per_plan_and_answers_429_with_retry_after(auth_api, openai_fake, x_account, settings):
    settings.ASSISTANT_DAILY_QUOTAS = {"basic": 2, "pro": 200, "enterprise": 2000}
    for _ in range(2):
        openai_fake.answer(variants("Fresh bread today."))
        assert auth_api.post(CAPTIONS, {"brief": "b", "account_ids": [x_account.pk], "n": 1}, format="json").status_code == 200
    response = auth_api.post(CAPTIONS, {"brief": "b", "account_ids": [x_account.pk], "n": 1}, format="json")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 86400
    message = response.json()["error"]["message"]
    assert "2 assistant requests a day" in message and "ASSISTANT_QUOTA_BASIC" in message
    assert len(openai_fake.completions) == 2


def test_an_empty_quota_setting_means_no_cap(auth_api, openai_fake, x_account, settings):
    settings.ASSISTANT_DAILY_QUOTAS = {"basic": None}
    for _ in range(3):
        openai_fake.answer(variants("Fresh bread today."))
        assert auth_api.post(CAPTIONS, {"brief": "b", "account_ids": [x_account.pk], "n": 1}, format="json").status_code == 200


def test_viewers_cannot_use_the_assistant(viewer_api, openai_fake, workspace):
    from tests.factories import ConnectedAccountFactory

    account = ConnectedAccountFactory(workspace=workspace)
    response = viewer_api.post(CAPTIONS, {"brief": "b", "account_ids": [account.pk]}, format="json")
    assert response.status_code == 403
    assert openai_fake.completions == []


def test_editors_can(editor_api, openai_fake, workspace):
    from tests.factories import ConnectedAccountFactory

    account = ConnectedAccountFactory(workspace=workspace)
    openai_fake.answer(variants("Hello there."))
    assert editor_api.post(CAPTIONS, {"brief": "b", "account_ids": [account.pk], "n": 1}, format="json").status_code == 200
