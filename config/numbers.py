"""Numbers from text someone else wrote (query strings, form fields, headers, the environment).

`str.isdigit()` is not the test int() needs: "²" and "①" are digits to isdigit() and int() refuses them
(a ValueError, a 500), while int() itself accepts "١٢", " 3 " and "1_000". And int() refuses more than
sys.get_int_max_str_digits() digits. Only plain ASCII digits count here; anything else is None."""

import sys

MAX_ID = 2**63 - 1  # the largest bigint: a larger id names no row


def _plain(text) -> str | None:
    text = "" if text is None else str(text)
    return text if text.isascii() and len(text) <= sys.get_int_max_str_digits() else None


def digits(text) -> int | None:
    """The whole number that ASCII digits spell ("42"), else None."""
    text = _plain(text)
    return int(text) if text is not None and text.isdigit() else None


def decimal_digits(text) -> float | None:
    """A number of ASCII digits with at most one dot ("1.5", "42"), else None."""
    text = _plain(text)
    return float(text) if text is not None and text.replace(".", "", 1).isdigit() else None
