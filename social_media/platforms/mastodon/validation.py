"""Mastodon's own content rules, per instance.

Length follows Mastodon's StatusLengthValidator (app/validators/status_length_validator.rb):
the text is rewritten so that every URL that twitter-text extracts *with* a protocol becomes
`characters_reserved_per_url` characters and every `@user@domain` mention becomes `@user`
(Account::MENTION_RE, overlapping entities removed), then its extended grapheme clusters are
counted (`str.each_grapheme_cluster.size`): an emoji family counts 1, not its code points.

Media follow MediaAttachment and PostStatusService: at most `max_media_attachments`, a video or
audio file cannot be combined with anything else, MIME types and sizes from the instance's
`configuration.media_attachments`, descriptions up to `description_limit` characters.
"""

from __future__ import annotations

from typing import Sequence

import regex
from twitter_text.regexp.latin_accent_chars import latin_accent_chars

from ..base import MediaItem
from ..url_extraction import TextTooComplex, extract_urls_with_indices
from .limits import limits_from_settings

# Account::USERNAME_RE and Account::MENTION_RE; [[:word:]] is Unicode \w in the `regex` module.
_USERNAME = r"(?i:[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)"
MENTION_RE = regex.compile(rf"(?<![=/\w])@({_USERNAME}(?:@\w+(?:[.-]+\w+)*)?)")
# twitter-text's end_mention_match: a mention followed by these is not a mention.
END_MENTION_RE = regex.compile(rf"(?:[@＠{latin_accent_chars.pattern}]|://)")
GRAPHEME_RE = regex.compile(r"\X")
VISIBILITIES = ("public", "unlisted", "private", "direct")


def _entities(text: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement kind) for URLs and mentions, overlapping ones removed."""
    found = [(u["indices"][0], u["indices"][1], "url") for u in extract_urls_with_indices(text, False)]
    for match in MENTION_RE.finditer(text):
        if not END_MENTION_RE.match(text, match.end()):
            found.append((match.start(), match.end(), "mention"))
    found.sort(key=lambda entity: entity[0])
    kept, last_end = [], -1
    for entity in found:
        if entity[0] >= last_end:
            kept.append(entity)
            last_end = entity[1]
    return kept


def countable_text(text: str, url_length: int) -> str:
    if not text or not text.strip():
        return ""
    out, position = [], 0
    for start, end, kind in _entities(text):
        out.append(text[position:start])
        if kind == "url":
            out.append("x" * url_length)
        else:
            out.append("@" + text[start + 1 : end].split("@")[0])
        position = end
    out.append(text[position:])
    return "".join(out)


def character_count(text: str, *, url_length: int = 23) -> int:
    """The length Mastodon counts for `text`; for a text too complex to count in time
    (url_extraction.py), its length in graphemes (validate_post says why it cannot be sent)."""
    try:
        return len(GRAPHEME_RE.findall(countable_text(text, url_length)))
    except TextTooComplex:
        return len(GRAPHEME_RE.findall(text))


def validate_post(content: str, media: Sequence[MediaItem], platform_settings: dict) -> list[str]:
    limits = limits_from_settings(platform_settings)
    errors = []
    media = list(media)
    try:
        length = len(GRAPHEME_RE.findall(countable_text(content or "", limits["characters_reserved_per_url"])))
    except TextTooComplex as exc:
        errors.append(str(exc))
        length = 0
    if length > limits["max_characters"]:
        errors.append(
            f"The text is {length:,} characters; this Mastodon instance allows {limits['max_characters']:,} "
            f"(each link counts as {limits['characters_reserved_per_url']})."
        )
    if not (content or "").strip() and not media:
        errors.append("A Mastodon post needs text or at least one attachment.")
    if len(media) > limits["max_media_attachments"]:
        errors.append(f"The post has {len(media)} attachments; this Mastodon instance allows at most {limits['max_media_attachments']}.")
    if len(media) > 1 and any(_is_video_or_audio(item) for item in media):
        errors.append("Mastodon does not allow a video or audio file together with other attachments.")
    for number, item in enumerate(media, start=1):
        errors.extend(_media_errors(number, item, limits))
    return errors


def _is_video_or_audio(item: MediaItem) -> bool:
    return item.media_type == "video" or item.mime_type.split("/")[0] in ("video", "audio")


def _media_errors(number: int, item: MediaItem, limits: dict) -> list[str]:
    errors = []
    label = f"Attachment {number} ({item.mime_type})"
    supported = limits.get("supported_mime_types")
    if supported and item.mime_type not in supported:
        errors.append(f"{label} is not a file type this Mastodon instance accepts.")
    major = item.mime_type.split("/")[0]
    kind, size_limit = ("video", limits.get("video_size_limit")) if major in ("video", "audio") else ("image", limits.get("image_size_limit"))
    if size_limit and item.file_size > size_limit:
        errors.append(f"{label} is {_megabytes(item.file_size)}; this Mastodon instance accepts {kind}s up to {_megabytes(size_limit)}.")
    matrix = limits.get("video_matrix_limit")
    if kind == "video" and matrix and item.width and item.height and item.width * item.height > matrix:
        errors.append(
            f"{label} is {item.width}×{item.height} = {item.width * item.height:,} pixels; "
            f"this Mastodon instance accepts videos up to {matrix:,} pixels."
        )
    description_limit = limits["description_limit"]
    if item.alt_text and len(item.alt_text) > description_limit:
        errors.append(f"{label} has a description of {len(item.alt_text):,} characters; Mastodon allows {description_limit:,}.")
    return errors


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
