"""How much of a new text repeats an earlier one, measured on normalised words.

normalise: NFKC, case-folded, links dropped, every run of non-word characters a space (so "Launch!!"
and "launch" are the same word, and a hashtag is its word). The measure is containment of word
trigrams: the share of the new text's three-word sequences that already occur in the old one
(texts shorter than three words compare their words). 1.0 means every phrase was said before, even if
the old post said more; 0.0 means no three words in a row are shared. Containment, not Jaccard: a
variant that copies a recent post and adds a sentence is still a repeat."""

import re
import unicodedata
from dataclasses import dataclass

_LINK = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
N = 3


def words(text: str) -> list[str]:
    text = _LINK.sub(" ", unicodedata.normalize("NFKC", text or "").casefold())
    return [word for word in _NON_WORD.sub(" ", text).split() if word]


def shingles(tokens: list[str], n: int = N) -> set[tuple[str, ...]]:
    if not tokens:
        return set()
    n = min(n, len(tokens))
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def containment(new: str, old: str) -> float:
    new_words, old_words = words(new), words(old)
    n = min(N, len(new_words)) or 1
    mine = shingles(new_words, n)
    if not mine:
        return 0.0
    return len(mine & shingles(old_words, n)) / len(mine)


@dataclass
class Closest:
    similarity: float
    post_id: int | None
    text: str


def closest(text: str, earlier: list[tuple[int | None, str]]) -> Closest | None:
    """The earlier text (id, text) the new one repeats most, with the measure; None when none given."""
    best = None
    for post_id, old in earlier:
        score = containment(text, old)
        if best is None or score > best.similarity:
            best = Closest(round(score, 3), post_id, old)
    return best
