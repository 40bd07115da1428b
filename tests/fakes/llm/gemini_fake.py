"""Google's Gemini API (`POST /v1beta|v1/models/{model}:generateContent`) on 127.0.0.1.

Sources (wire format, checked 2026-12):
- Gemini API reference "Generating content": request `contents[].{role, parts[].{text | inlineData{mimeType,
  data}}}`, `systemInstruction`, `generationConfig.{responseMimeType, responseJsonSchema}`; response
  `candidates[].{content{parts, role: "model"}, finishReason}`, `promptFeedback.blockReason`,
  `usageMetadata.{promptTokenCount, candidatesTokenCount, totalTokenCount}`, `modelVersion`.
- Auth: the `x-goog-api-key` header; a bad key answers 400 INVALID_ARGUMENT with a google.rpc.ErrorInfo
  `reason: API_KEY_INVALID` ("API key not valid. Please pass a valid API key.").
- Errors follow Google's error model (AIP-193): `{"error": {"code", "message", "status", "details": [...]}}`;
  rate limits are 429 RESOURCE_EXHAUSTED with `google.rpc.QuotaFailure` (its `quotaId` names the window,
  e.g. "GenerateRequestsPerMinutePerProjectPerModel") and `google.rpc.RetryInfo.retryDelay` ("32s");
  the message "You exceeded your current quota, please check your plan and billing details" is the one
  seen in real answers (gke-labs/gemini-for-kubernetes-development#1215).
"""

import json
import time
from collections import deque

from tests.fakes.fake_server import FakeServer, Reply
from tests.fakes.llm import next_step

API_KEY = "AIza-test-fake-gemini-key"
PREFIXES = ("/v1beta/models/", "/v1/models/")  # the SDK sends v1; both are served by Google
SUFFIX = ":generateContent"


def _error(code, status, message, details=()):
    return Reply(code, {"error": {"code": code, "message": message, "status": status, "details": list(details)}})


def _quota_error(quota_id, retry_delay=None):
    details = [{"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
        "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
        "quotaId": quota_id, "quotaDimensions": {"location": "global", "model": "gemini-2.5-flash"}, "quotaValue": "10"}]}]
    if retry_delay:
        details.append({"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay})
    return _error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details.", details)


class GeminiFake(FakeServer):
    name = "gemini"

    def __init__(self):
        super().__init__()
        self.script = deque()

    def answer(self, obj, *, finish_reason="STOP"):
        self.script.append(("text", json.dumps(obj), finish_reason))

    def answer_raw(self, text, *, finish_reason="STOP"):
        self.script.append(("text", text, finish_reason))

    def block_prompt(self, reason="SAFETY"):
        self.script.append(("blocked", reason))

    def rate_limited(self, retry_delay="32s"):
        self.script.append(("error", _quota_error("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", retry_delay)))

    def quota_exhausted(self):
        self.script.append(("error", _quota_error("GenerateRequestsPerDayPerProjectPerModel-FreeTier")))

    def slow(self, seconds):
        """Answer the next request after `seconds` (a timeout for a client that waits less)."""
        self.script.append(("slow", seconds, None))

    @property
    def generations(self):
        return [r.json for r in self.requests if r.path.endswith(SUFFIX)]

    def material(self, index=-1) -> dict:
        parts = self.generations[index]["contents"][-1]["parts"]
        return json.loads(next(p["text"] for p in parts if "text" in p))

    def route(self, request):
        prefix = next((p for p in PREFIXES if request.path.startswith(p)), None)
        if request.method != "POST" or prefix is None or not request.path.endswith(SUFFIX):
            raise _error(404, "NOT_FOUND", f"Method not found: {request.path}")
        model = request.path[len(prefix):-len(SUFFIX)]
        if request.headers.get("x-goog-api-key") != API_KEY:
            raise _error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com"}])
        body = request.json
        contents = body.get("contents") if isinstance(body, dict) else None
        if not isinstance(contents, list) or not contents or not all(isinstance(c, dict) and isinstance(c.get("parts"), list) and c["parts"] for c in contents):
            raise _error(400, "INVALID_ARGUMENT", "* GenerateContentRequest.contents: contents is not specified")
        config = body.get("generationConfig") or {}
        if "responseJsonSchema" in config and config.get("responseMimeType") != "application/json":
            raise _error(400, "INVALID_ARGUMENT", "responseJsonSchema requires responseMimeType application/json")
        step = next_step(self, ("text", "{}", "STOP"))
        if step[0] == "error":
            raise step[1]
        prompt_tokens = len(json.dumps(contents)) // 4
        if step[0] == "blocked":
            return Reply(200, {"promptFeedback": {"blockReason": step[1]}, "usageMetadata": {"promptTokenCount": prompt_tokens, "totalTokenCount": prompt_tokens}, "modelVersion": model})
        out_tokens = len(step[1]) // 4
        return Reply(200, {
            "candidates": [{"content": {"parts": [{"text": step[1]}], "role": "model"}, "finishReason": step[2], "index": 0}],
            "usageMetadata": {"promptTokenCount": prompt_tokens, "candidatesTokenCount": out_tokens, "totalTokenCount": prompt_tokens + out_tokens},
            "modelVersion": model,
            "responseId": f"resp-{int(time.time() * 1000)}",
        })
