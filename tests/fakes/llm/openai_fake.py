"""OpenAI's Chat Completions API (`POST /v1/chat/completions`) on 127.0.0.1.

Sources (wire format, checked 2026-12):
- Response object: OpenAI API reference, "Chat > Create chat completion" (`id`, `object:
  "chat.completion"`, `choices[].message.{role, content, refusal}`, `finish_reason`, `usage.{prompt_tokens,
  completion_tokens, total_tokens}`).
- Structured outputs guide: `response_format: {"type": "json_schema", "json_schema": {"name", "schema",
  "strict"}}`; a refusal arrives as `message.refusal` with `content: null`.
- Errors: API reference "Error codes": `{"error": {"message", "type", "param", "code"}}`; 401
  `invalid_api_key`; 429 `rate_limit_exceeded` with `retry-after` / `retry-after-ms` headers, and 429
  `insufficient_quota` ("You exceeded your current quota, please check your plan and billing details").
The fake refuses what the real API refuses: no bearer key, no `model`, `messages` not a list of
{role, content}, a `json_schema` response_format without `name` or `schema`.
"""

import json
import time
import uuid
from collections import deque

from tests.fakes.fake_server import FakeServer, Reply
from tests.fakes.llm import next_step

API_KEY = "sk-test-fake-openai-key"


def _error(status, message, kind, code=None, param=None, headers=None):
    return Reply(status, {"error": {"message": message, "type": kind, "param": param, "code": code}}, headers)


class OpenAIFake(FakeServer):
    name = "openai"

    def __init__(self):
        super().__init__()
        self.script = deque()  # what the model answers next: ("json", obj) | ("refusal", text) | ("raw", text, finish) | ("error", Reply)

    # --- scripting ----------------------------------------------------------------------
    def answer(self, obj, *, finish_reason="stop"):
        self.script.append(("raw", json.dumps(obj), finish_reason))

    def answer_raw(self, text, *, finish_reason="stop"):
        self.script.append(("raw", text, finish_reason))

    def refuse(self, text="I'm sorry, I can't help with that."):
        self.script.append(("refusal", text))

    def rate_limited(self, *, retry_after="20"):
        self.script.append(("error", _error(429, "Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, Used 3, Requested 1.", "requests", "rate_limit_exceeded", headers={"retry-after": retry_after})))

    def quota_exhausted(self):
        self.script.append(("error", _error(429, "You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota")))

    def slow(self, seconds):
        """Answer the next request after `seconds` (a timeout for a client that waits less)."""
        self.script.append(("slow", seconds, None))

    # --- what it was sent ---------------------------------------------------------------
    @property
    def completions(self):
        return [r.json for r in self.requests_to("/v1/chat/completions", "POST")]

    def material(self, index=-1) -> dict:
        """The user message of a request, parsed (the assistant sends its material as JSON)."""
        messages = self.completions[index]["messages"]
        content = messages[-1]["content"]
        text = content if isinstance(content, str) else next(p["text"] for p in content if p["type"] == "text")
        return json.loads(text)

    # Unscripted, "the model" answers the shortest valid object for the schema asked for.
    DEFAULTS = {"variants": {"variants": [{"text": "Fresh bread, baked this morning."}]},
                "hashtags": {"hashtags": [{"tag": "bakery", "reason": "the topic"}]},
                "alt_text": {"alt_text": "A loaf of bread on a wooden board."}}

    def default_answer(self, response_format):
        name = ((response_format or {}).get("json_schema") or {}).get("name", "")
        return self.DEFAULTS.get(name, {})

    # --- the API ------------------------------------------------------------------------
    def route(self, request):
        if request.path != "/v1/chat/completions" or request.method != "POST":
            raise _error(404, f"Invalid URL ({request.method} {request.path})", "invalid_request_error")
        if request.headers.get("authorization") != f"Bearer {API_KEY}":
            raise _error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
        body = request.json
        if not isinstance(body, dict) or not body.get("model"):
            raise _error(400, "you must provide a model parameter", "invalid_request_error", param="model")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) and "role" in m and "content" in m for m in messages):
            raise _error(400, "Invalid 'messages'.", "invalid_request_error", param="messages")
        response_format = body.get("response_format") or {}
        if response_format.get("type") == "json_schema":
            schema = response_format.get("json_schema") or {}
            if not schema.get("name") or not isinstance(schema.get("schema"), dict):
                raise _error(400, "Missing required parameter: 'response_format.json_schema.name'.", "invalid_request_error", param="response_format")
        step = next_step(self, ("raw", json.dumps(self.default_answer(response_format)), "stop"))
        if step[0] == "error":
            raise step[1]
        message = {"role": "assistant", "content": None, "refusal": None}
        finish = "stop"
        if step[0] == "refusal":
            message["refusal"] = step[1]
        else:
            message["content"], finish = step[1], step[2]
        prompt_tokens = sum(len(json.dumps(m["content"])) for m in messages) // 4
        completion_tokens = len(message["content"] or message["refusal"] or "") // 4
        return Reply(200, {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": f"{body['model']}-2024-07-18",
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens},
        }, {"x-request-id": f"req_{uuid.uuid4().hex[:16]}"})
