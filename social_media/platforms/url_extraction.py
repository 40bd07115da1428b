"""twitter-text's URL extraction (X's and Mastodon's link counting), with a time limit.

twitter-text's URL pattern backtracks on runs of words joined by dots: 600 characters of "a.a.a…"
took 0.56 s, 5,000 of them (within a post's length) 85 s, on this machine, with Python's `re` as
with the reference. No rewrite keeps X's exact count, so the same pattern runs on the `regex` module,
which matches it alike (tests/platforms/test_url_extraction.py compares both on thousands of texts)
and can stop: past EXTRACTION_SECONDS the count raises TextTooComplex, which the validators turn into
a field error that says how to fix the text. Ordinary text takes milliseconds (5,000 characters of
prose with 49 links: 7 ms).

Importing this module installs the bounded pattern into twitter_text.extract_urls, whose
extract_urls_with_indices (and so parse_tweet) every caller here uses."""

import importlib
import re

import regex
from twitter_text.regexp.extract_url import extract_url as _reference_pattern

# The module, not the package's function of the same name.
_extract_urls = importlib.import_module("twitter_text.extract_urls")

EXTRACTION_SECONDS = 0.5
TOO_COMPLEX = (
    "This text has a very long run of words joined by dots (such as a.b.c.d…), which takes too long to "
    "check for links; add spaces to break it up."
)


class TextTooComplex(ValueError):
    """Counting this text's links would take more than EXTRACTION_SECONDS."""


class _BoundedPattern:
    """Stands in for the compiled pattern: finditer with a deadline, the rest delegated."""

    def __init__(self, reference):
        self.reference = reference
        self.compiled = regex.compile(reference.pattern, reference.flags & ~re.UNICODE)  # str patterns are Unicode in `regex` too

    def finditer(self, text, *args):
        try:
            yield from self.compiled.finditer(text, *args, timeout=EXTRACTION_SECONDS)
        except TimeoutError:
            raise TextTooComplex(TOO_COMPLEX) from None

    def __getattr__(self, name):
        return getattr(self.reference, name)


if not isinstance(_extract_urls.extract_url, _BoundedPattern):
    _extract_urls.extract_url = _BoundedPattern(_reference_pattern)

extract_urls_with_indices = _extract_urls.extract_urls_with_indices
REFERENCE_PATTERN = _reference_pattern
