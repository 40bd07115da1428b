"""How Threads counts a post's length.

Meta's Threads documentation ("Threads Posts", Limitations; and the `text` parameter of
POST /{threads-user-id}/threads): "Text posts are limited to 500 characters" and "Emojis are counted as
the number of UTF-8 bytes". We therefore count one per user-perceived character (grapheme cluster),
except that a cluster containing an emoji (Extended_Pictographic or a regional-indicator flag) counts
its UTF-8 byte length: "👍" counts 4, "👍🏽" 8, a family emoji of 4 people joined by ZWJs 25. This can
over-count compared with the app, never under-count, so nothing we accept is refused at publish time.
"""

import regex

from ..url_extraction import TextTooComplex, extract_urls_with_indices

MAX_CHARACTERS = 500
# Threads "Text attachments" docs: since 2025-12-22 a post with more than 5 links fails at container creation
# (THREADS_API__LINK_LIMIT_EXCEEDED). "All unique URLs found in the text field are counted", bare domains
# (www.facebook.com) included: twitter-text's extraction finds both, with and without a scheme.
MAX_LINKS = 5
_EMOJI = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}]")


def threads_length(text: str) -> int:
    total = 0
    for cluster in regex.findall(r"\X", text or ""):
        total += len(cluster.encode("utf-8")) if _EMOJI.search(cluster) else 1
    return total


_SCHEME_URL = regex.compile(r"(?i)\bhttps?://[^\s]+")


def threads_links(text: str) -> set[str]:
    """The unique links Threads counts in `text`: what twitter-text finds (with or without a scheme, known
    top-level domains), and any http(s):// address besides, whatever its domain, so that a link Meta
    counts is never missed (raises TextTooComplex on pathological dotted runs)."""
    found = [entity["url"] for entity in extract_urls_with_indices(text or "", True)]
    found += [match.group(0) for match in _SCHEME_URL.finditer(text or "")]
    return {_normal(url) for url in found}


def _normal(url: str) -> str:
    return url.rstrip(".,;:!?)]}'\"").rstrip("/").lower()


def link_problems(text: str) -> list[str]:
    try:
        links = threads_links(text)
    except TextTooComplex as exc:
        return [str(exc)]
    if len(links) > MAX_LINKS:
        return [f"Threads allows at most {MAX_LINKS} different links in a post; this one has {len(links)}: remove "
                f"{len(links) - MAX_LINKS}."]
    return []
