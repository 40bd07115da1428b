"""Facets: the byte ranges that make links, @mentions and #hashtags clickable on Bluesky.

Links (http/https URLs and bare domains with a known TLD), #hashtags and $cashtags come from atproto's
port of the official TypeScript detector (`facet_detection`), which computes UTF-8 byte offsets.
Mentions are resolved to DIDs with com.atproto.identity.resolveHandle through `resolve`; a handle that
does not resolve stays plain text.
"""

from __future__ import annotations

from typing import Callable

from atproto_client import models
from atproto_client.utils import facet_detection


def build_facets(text: str, resolve: Callable[[str], str | None]) -> list[models.AppBskyRichtextFacet.Main]:
    """Facets of `text`, sorted by position. `resolve(handle)` returns a DID or None."""
    facets = list(facet_detection.detect_facets(text))
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
