"""OpenAI, or any server speaking its Chat Completions API (Azure OpenAI, OpenRouter, vLLM, llama.cpp,
Ollama), through the official `openai` SDK with `OPENAI_BASE_URL`.

Structured output: `response_format={"type": "json_schema", ...}` with `strict`. The SDK's own retries
are off (max_retries=0): a rate limit is answered to the user with its retry-after instead of making
them wait. Errors are mapped here once, by HTTP status and the body's `error.code`:
429 `insufficient_quota` -> QuotaExhausted, other 429 -> RateLimited(retry-after), 401/403/404 ->
ProviderMisconfigured, 400 `content_filter`/`content_policy_violation` -> Refused, a timeout ->
ProviderTimeout; a `refusal` or finish_reason `content_filter` -> Refused, `length` -> InvalidOutput."""

import base64
import logging

import openai

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
from .retry_after import seconds_from_headers

logger = logging.getLogger(__name__)

REFUSAL_CODES = {"content_filter", "content_policy_violation"}


class OpenAIProvider(Provider):
    name = "openai"

    def client(self):
        return openai.OpenAI(
            api_key=self.api_key or "none", base_url=self.base_url or None, timeout=self.timeout, max_retries=0
        )

    def generate(self, prompt: Prompt) -> Generation:
        user_content = [{"type": "text", "text": prompt.material}]
        for image in prompt.images:
            encoded = base64.b64encode(image.data).decode()
            user_content.append({"type": "image_url", "image_url": {"url": f"data:{image.mime_type};base64,{encoded}"}})
        try:
            completion = self.client().chat.completions.create(
                model=self.model,
                messages=[
                    {"role": "system", "content": prompt.instructions},
                    {"role": "user", "content": user_content if prompt.images else prompt.material},
                ],
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": prompt.schema_name, "schema": prompt.schema, "strict": True},
                },
            )
        except openai.APITimeoutError:
            raise ProviderTimeout() from None
        except openai.APIStatusError as exc:
            raise self.classify(exc, images=bool(prompt.images)) from None
        except openai.APIConnectionError:
            raise AssistantError("The assistant's provider could not be reached. Try again in a moment.") from None
        if not completion.choices:
            raise InvalidOutput()
        choice = completion.choices[0]
        if getattr(choice.message, "refusal", None) or choice.finish_reason == "content_filter":
            raise Refused()
        if choice.finish_reason == "length":
            raise InvalidOutput("The model's answer was cut off before it was complete. Try a shorter brief or fewer variants.")
        usage = completion.usage
        return Generation(
            data=parse_object(choice.message.content),
            model=completion.model or self.model,
            tokens_in=getattr(usage, "prompt_tokens", 0) or 0,
            tokens_out=getattr(usage, "completion_tokens", 0) or 0,
        )

    @staticmethod
    def classify(exc: "openai.APIStatusError", *, images: bool = False) -> AssistantError:
        body = exc.body if isinstance(exc.body, dict) else {}
        error = body.get("error", body) if isinstance(body.get("error", body), dict) else {}
        code, kind = str(error.get("code") or ""), str(error.get("type") or "")
        status = exc.status_code
        logger.warning("assistant: openai answered %s (%s/%s)", status, code or "-", kind or "-")
        if status == 429:
            if "insufficient_quota" in (code, kind):
                return QuotaExhausted()
            return RateLimited(retry_after=seconds_from_headers(exc.response.headers))
        if status in (401, 403, 404):
            return ProviderMisconfigured()
        if code in REFUSAL_CODES or kind in REFUSAL_CODES:
            return Refused()
        if status == 400 and images and ("image" in code or "image" in str(error.get("param") or "")):
            return ImagesUnsupported()
        if status == 408 or status == 504:
            return ProviderTimeout()
        return AssistantError()
