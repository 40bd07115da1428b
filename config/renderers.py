"""The API's JSON renderer: DRF's JSONRenderer output (compact, UTF-8, U+2028/U+2029 escaped), produced by
orjson. Anything orjson cannot encode natively (lazy translation strings, Decimal, ...) goes through DRF's
own encoder; an `Accept: application/json; indent=N` request falls back to DRF's renderer. Two differences
from json.dumps, both towards stricter JSON: NaN and infinities become null (DRF writes bare NaN, which
JSON parsers refuse), and very large or small floats use orjson's exponent form (1e16, not 1e+16).

A `PreRendered` value (a post body held between requests, social_media/api/body_cache.py) is copied
into the output as the bytes it already is."""

import json
import re

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder


class PreRendered:
    """A value already written as JSON (orjson's compact UTF-8): FastJSONRenderer copies its bytes into
    the response as they are; DRF's own encoder (an indented or browsable response) parses them."""

    __slots__ = ("raw", "fragment")

    def __init__(self, raw: bytes):
        self.raw = raw
        self.fragment = orjson.Fragment(raw)

    def data(self):
        return loads(self.raw)


_LONG_DIGITS = re.compile(rb"[0-9]{20}")  # 2**64 has 20 digits


def loads(raw):
    """JSON as Python: orjson, unless a value may be beyond it. orjson reads an integer over 64 bits as a
    float (2**70 would come back as 1.1805916207174113e+21); json keeps it exact, and reads NaN."""
    if isinstance(raw, str):
        raw = raw.encode()
    if _LONG_DIGITS.search(raw):
        return json.loads(raw)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


class Encoder(JSONEncoder):
    def default(self, obj):
        if isinstance(obj, PreRendered):
            return obj.data()
        return super().default(obj)


_drf_encoder = Encoder()


def _default(value):
    if isinstance(value, PreRendered):
        return value.fragment
    return _drf_encoder.default(value)


class FastJSONRenderer(JSONRenderer):
    encoder_class = Encoder

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=_default, option=orjson.OPT_NON_STR_KEYS)
        except orjson.JSONEncodeError:  # e.g. integers beyond 64 bits: json.dumps writes them
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80\xa8" in body or b"\xe2\x80\xa9" in body:
            body = body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return body

