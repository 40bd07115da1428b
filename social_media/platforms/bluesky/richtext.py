"""Facets: the byte ranges that make links, @mentions and #hashtags clickable on Bluesky.

Links (http/https URLs and bare domains with a known TLD) and $cashtags come from atproto's port of the
official TypeScript detector (`facet_detection`), which computes UTF-8 byte offsets. #hashtags follow
the reference (`@atproto/api` 0.21.0, `RichText.detectFacets`) exactly: a tag longer than 64 UTF-16
code units is dropped only when it is also longer than 64 *extended grapheme clusters* (the reference
counts them with Intl.Segmenter; we count them with `regex`'s \\X, as the post length rule does). The
port's own approximate grapheme count disagrees with the reference (e.g. Hangul written as conjoining
jamo), so tags are detected here. tests/platforms/test_bluesky_facets_reference.py runs the reference
through node on a table of texts and compares.
Mentions are resolved to DIDs with com.atproto.identity.resolveHandle through `resolve`; a handle that
does not resolve stays plain text.
"""

from __future__ import annotations

from typing import Callable

from atproto_client import models
from atproto_client.utils import facet_detection
from atproto_client.utils.facet_regexes import TAG_REGEX, TRAILING_PUNCTUATION_REGEX

from .rules import grapheme_count

MAX_TAG_LENGTH = 64  # UTF-16 code units, then graphemes (the reference's rule)


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_index(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def hashtag_facets(text: str) -> list[models.AppBskyRichtextFacet.Main]:
    """#hashtag (and ＃hashtag) facets, as the reference detects them."""
    facets = []
    for match in TAG_REGEX.finditer(text):
        tag = match.group(2)
        if not tag:
            continue
        tag = TRAILING_PUNCTUATION_REGEX.sub("", tag)  # (the reference also trims spaces; the match holds none)
        if not tag or (_utf16_length(tag) > MAX_TAG_LENGTH and grapheme_count(tag) > MAX_TAG_LENGTH):
            continue
        start = match.end(1)  # the hash sign
        facets.append(models.AppBskyRichtextFacet.Main(
            features=[models.AppBskyRichtextFacet.Tag(tag=tag)],
            index=models.AppBskyRichtextFacet.ByteSlice(byte_start=_byte_index(text, start), byte_end=_byte_index(text, start + 1 + len(tag))),
        ))
    return facets


def _is_hashtag(text_bytes: bytes, facet) -> bool:
    feature = facet.features[0]
    return isinstance(feature, models.AppBskyRichtextFacet.Tag) and not text_bytes[facet.index.byte_start:].startswith(b"$")


def build_facets(text: str, resolve: Callable[[str], str | None]) -> list[models.AppBskyRichtextFacet.Main]:
    """Facets of `text`, sorted by position. `resolve(handle)` returns a DID or None."""
    text_bytes = text.encode("utf-8")
    # Links and $cashtags from the port; its #hashtags are replaced by the reference's.
    facets = [facet for facet in facet_detection.detect_facets(text) if not _is_hashtag(text_bytes, facet)]
    facets.extend(hashtag_facets(text))
    dids: dict[str, str | None] = {}
    for mention in facet_detection.detect_mentions(text):
        handle = mention.handle.lower()
        if handle not in dids:
            dids[handle] = resolve(handle)
        if dids[handle] is None:
            continue
        facets.append(
            models.AppBskyRichtextFacet.Main(
                features=[models.AppBskyRichtextFacet.Mention(did=dids[handle])],
                index=models.AppBskyRichtextFacet.ByteSlice(byte_start=mention.byte_start, byte_end=mention.byte_end),
            )
        )
    return sorted(facets, key=lambda facet: facet.index.byte_start)
