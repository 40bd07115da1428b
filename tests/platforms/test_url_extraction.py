"""twitter-text's URL pattern run with a deadline (social_media/platforms/url_extraction.py): the same
links as the reference `re` pattern, and an answer within a second for texts that would take minutes."""

import random
import time

import pytest

from social_media.platforms.mastodon.validation import validate_post
from social_media.platforms.url_extraction import REFERENCE_PATTERN, TOO_COMPLEX, _BoundedPattern
from social_media.platforms.x import text as x_text

PIECES = [
    "a", "b", "é", "日本", ".", ".", ".", "/", ":", "//", "http", "https://", "www", "com", "co", "t.co", "example",
    "-", "_", "@", "#", "?", "=", "&", "(", ")", " ", " ", "\n", "😀", "ß", "İ", "ｃｏｍ", "xn--", ".jp", ".COM", "Example.ORG/Path",
]


def matches(pattern, text):
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


def test_the_bounded_pattern_finds_what_twitter_texts_own_finds():
    bounded, rng = _BoundedPattern(REFERENCE_PATTERN), random.Random(20261201)
    texts = [
        "Read https://example.com/a?b=c and www.example.org, or example.co.uk/x. Not a.b",
        "http://twitter.com/これは日本語です。example.com中国語 @user #tag t.co/abc123",
        "ＨＴＴＰ://ＥＸＡＭＰＬＥ.ＣＯＭ (https://en.wikipedia.org/wiki/Café_(disambiguation)) xn--bcher-kva.ch",
    ]
    texts += ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40))) for _ in range(3000)]
    for text in texts:
        assert matches(bounded, text) == matches(REFERENCE_PATTERN, text), text


@pytest.mark.parametrize("dotted", ["a." * 2500, "é." * 2500, "www." * 1250])
def test_x_answers_a_long_dotted_run_with_a_field_error_in_under_a_second_or_two(dotted):
    started = time.monotonic()
    errors = x_text.validate(dotted, [], x_text.DEFAULT_LIMITS)
    assert time.monotonic() - started < 2.5  # twitter-text alone: 85 s for the first
    assert errors == [TOO_COMPLEX]
    assert x_text.weighted_length(dotted) == len(dotted)


def test_mastodon_answers_a_long_dotted_url_with_a_field_error():
    started = time.monotonic()
    errors = validate_post("http://" + "a." * 2490, [], {})
    assert time.monotonic() - started < 2.5
    assert TOO_COMPLEX in errors


def test_ordinary_long_text_is_counted_exactly():
    prose = ("Lorem ipsum dolor sit amet https://example.com/path?x=1 sed do. " * 80)[:5000]
    assert x_text.validate(prose, [], {**x_text.DEFAULT_LIMITS, "max_weighted_length": 25000}) == []
    assert x_text.weighted_length("see https://example.com/a/very/long/path/that/is/long " + "x" * 10) == 4 + 23 + 11
