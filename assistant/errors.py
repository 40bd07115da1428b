"""What can go wrong when the assistant asks a model, as typed errors with a sentence for the user.

Each provider maps its SDK's exceptions to these once, by HTTP status and the provider's error code
(assistant/providers/*). The API answers them in the one error shape with the status below; the
provider's raw body never reaches the user (it is logged without the request's content)."""


class AssistantError(Exception):
    status = 502
    code = "assistant_error"
    outcome = "error"  # AssistantRequest.outcome
    default_message = "The writing assistant could not answer. Try again in a moment."

    def __init__(self, message: str = "", *, retry_after: int | None = None):
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.retry_after = retry_after


class NotConfigured(AssistantError):
    status = 503
    code = "assistant_not_configured"
    outcome = "not_configured"
    default_message = (
        "The writing assistant is off on this server. An operator enables it by setting ASSISTANT_PROVIDER "
        "(openai or gemini) and that provider's key: OPENAI_API_KEY (and OPENAI_BASE_URL for a self-hosted "
        "OpenAI-compatible server) or GEMINI_API_KEY. See docs/assistant.md."
    )


class RateLimited(AssistantError):
    status = 429
    code = "assistant_rate_limited"
    outcome = "rate_limited"
    default_message = "The assistant's provider is busy with too many requests. Try again shortly."


class QuotaExhausted(AssistantError):
    status = 503
    code = "assistant_quota_exhausted"
    outcome = "quota_exhausted"
    default_message = (
        "The assistant's provider account has used up its quota or credit. Ask the operator of this server "
        "to check the provider's plan and billing."
    )


class ProviderTimeout(AssistantError):
    status = 504
    code = "assistant_timeout"
    outcome = "timeout"
    default_message = "The assistant's model took too long to answer. Try again, perhaps with a shorter brief."


class Refused(AssistantError):
    status = 422
    code = "assistant_refused"
    outcome = "refused"
    default_message = "The model declined to write this (its safety filter stopped it). Rephrase the brief and try again."


class InvalidOutput(AssistantError):
    status = 502
    code = "assistant_invalid_output"
    outcome = "invalid_output"
    default_message = "The model's answer could not be used (it was not in the expected form). Try again."


class ProviderMisconfigured(AssistantError):
    status = 503
    code = "assistant_misconfigured"
    outcome = "misconfigured"
    default_message = (
        "The assistant's provider refused this server's credentials or model. Ask the operator to check "
        "the provider key and model name (docs/assistant.md)."
    )


class ImagesUnsupported(AssistantError):
    status = 422
    code = "assistant_images_unsupported"
    outcome = "images_unsupported"
    default_message = (
        "The configured model does not accept images, so it cannot describe this one. Write the alt text "
        "yourself, or ask the operator for a model that reads images (ASSISTANT_IMAGES)."
    )


class DailyQuotaSpent(AssistantError):
    status = 429
    code = "assistant_daily_quota"
    outcome = "quota_spent"
