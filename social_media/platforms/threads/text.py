"""How Threads counts a post's length.

Meta's Threads documentation ("Threads Posts", Limitations; and the `text` parameter of
POST /{threads-user-id}/threads): "Text posts are limited to 500 characters" and "Emojis are counted as
the number of UTF-8 bytes". We therefore count one per user-perceived character (grapheme cluster),
except that a cluster containing an emoji (Extended_Pictographic or a regional-indicator flag) counts
its UTF-8 byte length: "👍" counts 4, "👍🏽" 8, a family emoji of 4 people joined by ZWJs 25. This can
over-count compared with the app, never under-count, so nothing we accept is refused at publish time.
"""

import regex

MAX_CHARACTERS = 500
_EMOJI = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}]")


def threads_length(text: str) -> int:
    total = 0
    for cluster in regex.findall(r"\X", text or ""):
        total += len(cluster.encode("utf-8")) if _EMOJI.search(cluster) else 1
    return total
