"""Google Gemini through the official `google-genai` SDK (`generateContent` with a JSON schema).

`GEMINI_BASE_URL` points the SDK elsewhere (a proxy, the tests' local server). The SDK's retries are
off: a rate limit is answered to the user with its delay. Errors are mapped here once, by HTTP status
and the body's `error.status` with its google.rpc details (Google's error model, AIP-193):
429 RESOURCE_EXHAUSTED with a per-day QuotaFailure -> QuotaExhausted, other 429 -> RateLimited (delay
from RetryInfo.retryDelay), 401/403/404 -> ProviderMisconfigured, a timeout -> ProviderTimeout; a
blocked prompt (promptFeedback.blockReason) or a candidate stopped for SAFETY and the like -> Refused,
MAX_TOKENS -> InvalidOutput."""

import logging

import httpx2  # the HTTP client google-genai is built on
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from assistant.errors import (
    AssistantError,
    ImagesUnsupported,
    InvalidOutput,
    ProviderMisconfigured,
    ProviderTimeout,
    QuotaExhausted,
    RateLimited,
    Refused,
)

from .base import Generation, Prompt, Provider, parse_object
from .retry_after import DEFAULT_RETRY_SECONDS, seconds_from_duration

logger = logging.getLogger(__name__)

REFUSED_FINISH = {"SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION", "IMAGE_SAFETY"}


class GeminiProvider(Provider):
    name = "gemini"

    def client(self):
        options = {"timeout": int(self.timeout * 1000), "retry_options": types.HttpRetryOptions(attempts=1)}
        if self.base_url:
            options["base_url"] = self.base_url
        return genai.Client(api_key=self.api_key, http_options=types.HttpOptions(**options))

    def generate(self, prompt: Prompt) -> Generation:
        parts = [types.Part.from_text(text=prompt.material)]
        parts += [types.Part.from_bytes(data=image.data, mime_type=image.mime_type) for image in prompt.images]
        config = types.GenerateContentConfig(
            system_instruction=prompt.instructions,
            response_mime_type="application/json",
            response_json_schema=prompt.schema,
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        )
        client = self.client()  # held while it is used: the SDK closes its HTTP client when this is collected
        try:
            response = client.models.generate_content(
                model=self.model, contents=[types.Content(role="user", parts=parts)], config=config
            )
        except genai_errors.APIError as exc:
            raise self.classify(exc, images=bool(prompt.images)) from None
        except httpx2.TimeoutException:
            raise ProviderTimeout() from None
        except httpx2.HTTPError:
            raise AssistantError("The assistant's provider could not be reached. Try again in a moment.") from None
        feedback = response.prompt_feedback
        if feedback is not None and feedback.block_reason:
            raise Refused()
        if not response.candidates:
            raise InvalidOutput()
        finish = str(getattr(response.candidates[0].finish_reason, "value", response.candidates[0].finish_reason) or "")
        if finish in REFUSED_FINISH:
            raise Refused()
        if finish == "MAX_TOKENS":
            raise InvalidOutput("The model's answer was cut off before it was complete. Try a shorter brief or fewer variants.")
        usage = response.usage_metadata
        return Generation(
            data=parse_object(response.text),
            model=response.model_version or self.model,
            tokens_in=getattr(usage, "prompt_token_count", 0) or 0,
            tokens_out=getattr(usage, "candidates_token_count", 0) or 0,
        )

    @staticmethod
    def classify(exc: "genai_errors.APIError", *, images: bool = False) -> AssistantError:
        status, state = exc.code, str(exc.status or "")
        details = exc.details.get("error", {}).get("details", []) if isinstance(exc.details, dict) else []
        details = [d for d in details if isinstance(d, dict)]
        logger.warning("assistant: gemini answered %s (%s)", status, state or "-")
        if status == 429 or state == "RESOURCE_EXHAUSTED":
            for detail in details:
                if detail.get("@type", "").endswith("google.rpc.QuotaFailure"):
                    violations = [v for v in detail.get("violations", []) if isinstance(v, dict)]
                    if any("PerDay" in str(v.get("quotaId", "")) for v in violations):
                        return QuotaExhausted()
            delay = next(
                (seconds_from_duration(str(d.get("retryDelay", ""))) for d in details if d.get("@type", "").endswith("google.rpc.RetryInfo")),
                None,
            )
            return RateLimited(retry_after=delay or DEFAULT_RETRY_SECONDS)
        if status in (401, 403, 404) or state in ("UNAUTHENTICATED", "PERMISSION_DENIED", "NOT_FOUND") or any(
            d.get("reason") == "API_KEY_INVALID" for d in details
        ):
            return ProviderMisconfigured()
        if status == 400 and images and "image" in str(getattr(exc, "message", "")).lower():
            return ImagesUnsupported()
        if status == 504 or state == "DEADLINE_EXCEEDED":
            return ProviderTimeout()
        return AssistantError()
