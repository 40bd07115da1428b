"""JSON request bodies, checked for nesting depth before they are parsed.

Python's json module parses recursively: a body of ~1,000 nested brackets (under 2 KB) exhausts the
interpreter's recursion limit and raises RecursionError, a 500. `check_json_depth` finds the deepest
nesting without recursion, at C speed (strings are skipped, so brackets inside them do not count), and
refuses anything deeper than MAX_JSON_DEPTH with a 400. A body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413
(DRF reads JSON from the stream, so Django's own check never sees it). `JSONParser` is DRF's default parser
(settings.REST_FRAMEWORK); `loads` is the same guard for any JSON read outside DRF.
"""

import re
from itertools import accumulate

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json  # the stdlib's, plus strict_constant (refuses NaN)

# Our deepest legitimate body (a queue's posting_schedule) nests 3 levels; leave generous room.
MAX_JSON_DEPTH = 64

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class TooDeeplyNested(ValueError):
    pass


def json_depth(text: str) -> int:
    """The deepest bracket nesting of a JSON text (0 for a scalar). Malformed text gives some number;
    the parser reports malformed text itself."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def check_json_depth(text: str) -> None:
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return  # cannot be too deep: the common case costs two str.count calls
    if json_depth(text) > MAX_JSON_DEPTH:
        raise TooDeeplyNested(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.")


def loads(text):
    """json.loads, refusing bodies nested deeper than MAX_JSON_DEPTH (TooDeeplyNested, a ValueError)."""
    if isinstance(text, (bytes, bytearray)):
        text = text.decode("utf-8")
    check_json_depth(text)
    return json.loads(text)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the depth check first: a too-deep body is a 400 parse error."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1 if limit is not None else -1) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            from config.exceptions import RequestTooLarge  # imports DRF's views, which import this module

            raise RequestTooLarge()  # DRF reads JSON from the stream, past Django's own check
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}")
        try:
            check_json_depth(text)
        except TooDeeplyNested as exc:
            raise ParseError(str(exc))
        parse_constant = json.strict_constant if self.strict else None
        try:
            return json.loads(text, parse_constant=parse_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}")
