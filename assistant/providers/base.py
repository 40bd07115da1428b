"""The contract every model provider fills: one structured-output call.

A provider takes fixed instructions, the user's material as data, a JSON schema, and optional images;
it answers the parsed JSON object with the tokens used, or raises one of assistant.errors."""

import json
from dataclasses import dataclass, field

from assistant.errors import InvalidOutput


@dataclass
class Image:
    data: bytes
    mime_type: str


@dataclass
class Generation:
    data: dict
    model: str
    tokens_in: int = 0
    tokens_out: int = 0


@dataclass
class Prompt:
    instructions: str  # fixed text of ours: the system/developer message
    material: str  # the user's brief, voice and recent posts, as data the instructions describe
    schema: dict  # JSON schema of the answer (an object)
    schema_name: str = "answer"
    images: list[Image] = field(default_factory=list)


class Provider:
    name = ""

    def __init__(self, *, api_key: str, model: str, base_url: str = "", timeout: float = 30.0):
        self.api_key, self.model, self.base_url, self.timeout = api_key, model, base_url, timeout

    def generate(self, prompt: Prompt) -> Generation:
        raise NotImplementedError


def parse_object(text: str | None) -> dict:
    """The model's JSON answer as an object, or InvalidOutput."""
    try:
        data = json.loads(text or "")
    except ValueError:
        raise InvalidOutput() from None
    if not isinstance(data, dict):
        raise InvalidOutput()
    return data
