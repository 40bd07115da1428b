"""Seconds to wait, from a provider's answer."""

import math

from config.numbers import digits

DEFAULT_RETRY_SECONDS = 60


def seconds_from_headers(headers) -> int:
    """`retry-after-ms` (OpenAI) or `retry-after` in seconds; an HTTP date or nothing gives the default."""
    millis = digits((headers.get("retry-after-ms") or "").split(".")[0])
    if millis is not None:
        return max(1, math.ceil(millis / 1000))
    seconds = digits((headers.get("retry-after") or "").split(".")[0])
    return max(1, seconds) if seconds is not None else DEFAULT_RETRY_SECONDS


def seconds_from_duration(text: str) -> int | None:
    """A google.protobuf.Duration in JSON ("30s", "1.5s") as whole seconds, else None."""
    text = (text or "").strip()
    if not text.endswith("s"):
        return None
    whole, _, fraction = text[:-1].partition(".")
    seconds = digits(whole)
    if seconds is None or (fraction and digits(fraction) is None):
        return None
    return max(1, seconds + (1 if fraction.strip("0") else 0))
