"""Our Bluesky facets against the reference detector: `@atproto/api` 0.21.0's RichText.detectFacets,
run through node (tests/fakes/atproto_api/, installed by `make node-deps`) on the same texts.
Mentions are compared by handle: the reference leaves them unresolved, we resolve them to DIDs."""

import json
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


@pytest.fixture(scope="module")
def reference():
    if shutil.which("node") is None or not (REFERENCE_DIR / "node_modules" / "@atproto" / "api").is_dir():
        raise RuntimeError(f"The reference @atproto/api is not installed: run `make node-deps` (npm ci in {REFERENCE_DIR}).")
    texts = list(CASES.values())
    answer = subprocess.run(["node", "detect_facets.mjs"], cwd=REFERENCE_DIR, input=json.dumps(texts), capture_output=True,
                            text=True, timeout=60, check=True)
    return dict(zip(CASES, json.loads(answer.stdout)))


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
