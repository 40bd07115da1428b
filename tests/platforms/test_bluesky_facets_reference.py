"""Our Bluesky facets against the reference detector: `@atproto/api` 0.21.0's RichText.detectFacets,
run through node (tests/fakes/atproto_api/, installed by `make node-deps`) on the same texts: a table of
named cases, and thousands of texts from a seeded generator (emoji, skin tones, ZWJ sequences, flags,
keycaps, combining marks, conjoining jamo, Indic conjuncts, CJK and astral ideographs, digits,
punctuation and trailing punctuation, zero-width and other spaces, full-width hash, links, mentions,
cashtags; tag lengths around 32, 64 and 128 units). Every facet must agree: position, type and value.
Mentions are compared by handle: the reference leaves them unresolved, we resolve them to DIDs.

The reference's tag length rule (node_modules/@atproto/api/dist/rich-text/detection.js, detectFacets):
after TAG_REGEX, the tag (without its hash) is trimmed and its trailing \\p{P} removed; it is dropped when
`tag.length > 64 && graphemeLen(tag) > 64`, i.e. only past 64 UTF-16 code units *and* past 64 extended
grapheme clusters (@atproto/lex-data's graphemeLen: Intl.Segmenter). So "#" + 40 astral emoji (80 units,
40 graphemes) IS a tag there, as here; an older @atproto/api dropped every tag past 64 UTF-16 units."""

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from social_media.platforms.bluesky.richtext import build_facets

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "fakes" / "atproto_api"

EMOJI, WOMAN_TECHNOLOGIST, FLAG = "\U0001F600", "\U0001F469\u200D\U0001F4BB", "\U0001F1EB\U0001F1F7"
JAMO = "\u1100\u1161"  # one Hangul syllable written as two conjoining jamo: one grapheme

CASES = {
    "plain tag": "Launch day #launch",
    "trailing punctuation": "Done. #shipped!! and #tag.",
    "digits only is no tag": "Room #123 vs #1a",
    "full-width hash": "\uFF03tag here",
    "no space before": "a#b and (#paren)",
    "64 letters": "#" + "a" * 64,
    "65 letters": "#" + "a" * 65,
    "33 emoji (66 UTF-16 units, 33 graphemes)": "#" + EMOJI * 33,
    "40 emoji (80 UTF-16 units, 40 graphemes)": "#" + EMOJI * 40,
    "40 a + combining acute (80 UTF-16 units, 40 graphemes)": "#" + "a\u0301" * 40,
    "40 Devanagari conjuncts (one grapheme each since Unicode 15.1)": "#" + "\u0915\u094d\u0937" * 40,
    "64 emoji": "#" + EMOJI * 64,
    "65 emoji": "#" + EMOJI * 65,
    "40 ZWJ sequences": "#" + WOMAN_TECHNOLOGIST * 40,
    "40 flags": "#" + FLAG * 40,
    "64 combining accents": "#" + "e\u0301" * 64,
    "65 combining accents": "#" + "e\u0301" * 65,
    "40 jamo syllables": "#" + JAMO * 40,
    "65 jamo syllables": "#" + JAMO * 65,
    "65 precomposed syllables": "#" + "\uAC00" * 65,
    "keycap is no tag": "#\uFE0F\u20E3 and #ok",
    "zero-width space ends a tag": "#tag\u200Bafter",
    "CJK and accents": "#日本語 #café",
    "links": "See https://example.com/a/path). and example.org, and (https://x.com/y)",
    "cashtag": "Buy $AAPL now and $toolong1",
    "mention": "Hi @alice.test and @bob.example.com!",
    "everything": f"@carol.test #one https://bsky.app #{EMOJI * 40} #two.",
}


def run_reference(texts):
    if shutil.which("node") is None or not (REFERENCE_DIR / "node_modules" / "@atproto" / "api").is_dir():
        raise RuntimeError(f"The reference @atproto/api is not installed: run `make node-deps` (npm ci in {REFERENCE_DIR}).")
    answer = subprocess.run(["node", "detect_facets.mjs"], cwd=REFERENCE_DIR, input=json.dumps(texts), capture_output=True,
                            text=True, timeout=120, check=True)
    return json.loads(answer.stdout)


@pytest.fixture(scope="module")
def reference():
    return dict(zip(CASES, run_reference(list(CASES.values()))))


def ours(text):
    facets = []
    for facet in build_facets(text, resolve=lambda handle: f"did:plc:{handle}"):
        feature = facet.features[0]
        kind = feature.py_type.split("#")[1]
        value = {"link": getattr(feature, "uri", None), "tag": getattr(feature, "tag", None)}.get(kind) or feature.did.removeprefix("did:plc:")
        facets.append({"byteStart": facet.index.byte_start, "byteEnd": facet.index.byte_end, "type": kind, "value": value})
    return facets


def normalised(facets):
    return sorted((f["byteStart"], f["byteEnd"], f["type"], f["value"].lower() if f["type"] == "mention" else f["value"]) for f in facets)


@pytest.mark.parametrize("case", list(CASES))
def test_facets_match_the_reference_detector(reference, case):
    assert normalised(ours(CASES[case])) == normalised(reference[case])


def test_the_table_covers_both_sides_of_the_tag_length_limit(reference):
    tags = {case: [f for f in reference[case] if f["type"] == "tag"] for case in CASES}
    assert tags["64 letters"] and not tags["65 letters"]
    assert tags["40 jamo syllables"] and not tags["65 jamo syllables"]
    assert tags["33 emoji (66 UTF-16 units, 33 graphemes)"]  # the reference counts graphemes past 64 UTF-16 units
    assert tags["40 emoji (80 UTF-16 units, 40 graphemes)"] and tags["40 a + combining acute (80 UTF-16 units, 40 graphemes)"]
    assert not tags["65 emoji"]


# --- Generated texts ----------------------------------------------------------------------------------
EMOJI_UNITS = [EMOJI, "\U0001F389", "\U0001F44D\U0001F3FD", WOMAN_TECHNOLOGIST, "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466",
               FLAG, "\u2764\uFE0F", "\u263A", "#\uFE0F\u20E3", "1\uFE0F\u20E3", "\U0001F3F3\uFE0F\u200D\U0001F308",
               "\U0001F9D1\U0001F3FF\u200D\U0001F9B0"]
COMBINING_UNITS = ["a\u0301", "e\u0301\u0302", "o\u0308", "\u0915\u094d\u0937", JAMO, "\u1100\u1161\u11a8", "\u0e01\u0e33", "\u05e9\u05c1"]
CJK_UNITS = ["日", "本", "語", "文", "가", "ひ", "カ", "\U00020000", "\U0002A6B2"]
LATIN_UNITS = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") + ["é", "ß", "ø", "ł", "ı"]
DIGIT_UNITS = list("0123456789") + ["\u0661", "\uff11"]
PUNCTUATION = list(".,;:!?-_'\"()[]{}/\\…—–«»¡¿") + ["\u3002", "\uff01", "\u060c"]
SEPARATORS = [" ", "\n", "\t", "\u00a0", "\u200b", "\u200d", "\u2060", "\u00ad", "\u3000", "\u202f"]
UNIT_KINDS = [EMOJI_UNITS, COMBINING_UNITS, CJK_UNITS, LATIN_UNITS, DIGIT_UNITS]
LENGTHS_AROUND_LIMITS = [1, 2, 16, 21, 22, 31, 32, 33, 40, 63, 64, 65, 66, 70, 128, 129]


def generated_tag(rng):
    if rng.random() < 0.45:  # one unit repeated: lengths on both sides of 64 units and 64 graphemes
        body = rng.choice(rng.choice(UNIT_KINDS[:4])) * rng.choice(LENGTHS_AROUND_LIMITS)
    else:
        body = "".join(rng.choice(rng.choice(UNIT_KINDS)) for _ in range(rng.choice([1, 3, 8, 30, 60, 64, 65, 70])))
    if rng.random() < 0.3:
        body += "".join(rng.choice(PUNCTUATION) for _ in range(rng.randint(1, 3)))  # trailing punctuation
    if rng.random() < 0.1:
        body = rng.choice(PUNCTUATION) + body
    return rng.choice(["#", "#", "#", "\uff03"]) + body


def generated_text(rng):
    parts = []
    for _ in range(rng.randint(1, 5)):
        roll = rng.random()
        if roll < 0.55:
            parts.append(generated_tag(rng))
        elif roll < 0.65:
            parts.append(rng.choice(["https://example.com/a/b", "example.org", "https://bsky.app/x).", "(https://x.com/y)", "www.test.io,"]))
        elif roll < 0.72:
            parts.append(rng.choice(["$AAPL", "$toolong1", "$ab", "($TSLA)"]))
        elif roll < 0.78:
            parts.append(rng.choice(["@alice.test", "@bob.example.com", "@x"]))
        else:
            parts.append("".join(rng.choice(rng.choice(UNIT_KINDS)) for _ in range(rng.randint(1, 6))))
        parts.append(rng.choice(SEPARATORS) if rng.random() < 0.85 else rng.choice(PUNCTUATION))
    return "".join(parts).strip(" ") or "#x"


def test_thousands_of_generated_texts_get_exactly_the_reference_facets():
    rng = random.Random(20261206)
    texts = [generated_text(rng) for _ in range(3000)]
    expected = run_reference(texts)
    assert sum(f["type"] == "tag" for facets in expected for f in facets) > 2000  # the texts do exercise tags
    assert any(not any(f["type"] == "tag" for f in facets) and "#" in text for text, facets in zip(texts, expected))
    disagreements = [(text, normalised(ours(text)), normalised(facets)) for text, facets in zip(texts, expected)
                     if normalised(ours(text)) != normalised(facets)]
    assert disagreements == [], f"{len(disagreements)} of {len(texts)} texts differ; first: {disagreements[:3]!r}"
