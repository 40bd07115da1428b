"""What a Reddit post must be, checked before anything is sent.

A Reddit target names, in its `platform_specific_settings`:
    subreddit   required; "python" or "r/python" (3-21 letters, digits, underscores)
    title       required; at most 300 characters
    flair_id    optional; the id of one of the subreddit's link flair templates
    flair_text  optional; custom text for an editable flair template (needs flair_id), at most 64 characters
    url         optional; makes the post a link post (the post's text, if any, is the body)

The kind of post follows from the content:
    an image attached           -> image post (one image; the text, if any, is the body)
    a `url` setting             -> link post to that URL
    text that is one URL alone  -> link post to that URL (no body)
    otherwise                   -> text (self) post; the text is the body, Markdown, at most 40,000 characters
"""

from __future__ import annotations

import re
from typing import Sequence
from urllib.parse import urlsplit

from ..base import MediaItem, TargetSetting

MAX_TITLE = 300
MAX_BODY = 40_000
MAX_FLAIR_TEXT = 64
MAX_IMAGE_BYTES = 20 * 1024 * 1024
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif"}
_SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{2,20}$")
# A Reddit target's settings, as the web composer asks for them; the API takes the same keys.
TARGET_SETTINGS = (
    TargetSetting("subreddit", "Subreddit", 'Like "python" or "r/python".', 23, required=True),
    TargetSetting("title", "Title", f"At most {MAX_TITLE} characters; the text above is the post's body.", MAX_TITLE, required=True),
    TargetSetting("flair_id", "Flair template id", "Optional: one of the subreddit's link flair templates.", 64),
    TargetSetting("flair_text", "Flair text", "Optional: custom text for an editable flair (needs the template id).", MAX_FLAIR_TEXT),
    TargetSetting("url", "Link", "Optional: makes it a link post to this address.", 2000),
)
SETTING_KEYS = tuple(setting.key for setting in TARGET_SETTINGS)


def subreddit_name(raw) -> str:
    name = str(raw or "").strip()
    for prefix in ("/r/", "r/"):
        if name.lower().startswith(prefix):
            name = name[len(prefix):]
    return name.strip("/")


def is_url(text: str) -> bool:
    parts = urlsplit(text.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in text.strip())


def settings_errors(settings: dict) -> dict[str, list[str]]:
    """Field errors of a Reddit target's settings: {"title": ["..."]}; empty when valid."""
    settings = settings or {}
    errors: dict[str, list[str]] = {}
    name = subreddit_name(settings.get("subreddit"))
    if not name:
        errors["subreddit"] = ["Reddit posts go to a subreddit: name one, like \"python\" or \"r/python\"."]
    elif not _SUBREDDIT.match(name):
        errors["subreddit"] = [f"\"{name}\" is not a subreddit name (3 to 21 letters, digits or underscores)."]
    title = settings.get("title")
    if not isinstance(title, str) or not title.strip():
        errors["title"] = ["Reddit posts need a title."]
    elif len(title) > MAX_TITLE:
        errors["title"] = [f"Reddit titles are at most {MAX_TITLE} characters; this one has {len(title)}: remove {len(title) - MAX_TITLE}."]
    flair_id, flair_text = settings.get("flair_id"), settings.get("flair_text")
    if flair_id is not None and (not isinstance(flair_id, str) or not flair_id.strip()):
        errors["flair_id"] = ["Give the flair template id as text, or leave it out."]
    if flair_text is not None:
        if not isinstance(flair_text, str) or len(flair_text) > MAX_FLAIR_TEXT:
            errors["flair_text"] = [f"Flair text is at most {MAX_FLAIR_TEXT} characters."]
        elif not flair_id:
            errors["flair_text"] = ["Custom flair text needs the flair_id of an editable flair template."]
    url = settings.get("url")
    if url is not None and url != "" and not (isinstance(url, str) and is_url(url)):
        errors["url"] = ["Give a full http(s) link, like https://example.com/page, or leave it out."]
    unknown = sorted(set(settings) - set(SETTING_KEYS))
    if unknown:
        errors["non_field_errors"] = [f"Unknown Reddit setting(s): {', '.join(unknown)}; use {', '.join(SETTING_KEYS)}."]
    return errors


def content_errors(content: str, media: Sequence[MediaItem]) -> list[str]:
    problems = []
    if len(content or "") > MAX_BODY:
        problems.append(f"Reddit post text is at most {MAX_BODY:,} characters; this one has {len(content):,}.")
    if len(media) > 1:
        problems.append("Reddit image posts take one image here; remove the others or make one post per image.")
    for item in media[:1]:
        if item.media_type == "video":
            problems.append("Video posts to Reddit are not supported yet; attach an image or post a link to the video.")
        elif item.mime_type not in IMAGE_TYPES:
            problems.append(f"Reddit accepts JPEG, PNG or GIF images, not {item.mime_type}.")
        elif item.file_size > MAX_IMAGE_BYTES:
            problems.append(f"Reddit images must be at most 20 MB; this one is {item.file_size / 1024 / 1024:.1f} MB.")
    return problems


def post_kind(content: str, media: Sequence[MediaItem], settings: dict) -> tuple[str, dict]:
    """('image' | 'link' | 'self', the praw submit keyword arguments for the body)."""
    text = content or ""
    if media:
        return "image", ({"selftext": text} if text.strip() else {})
    if settings.get("url"):
        return "link", {"url": settings["url"], **({"selftext": text} if text.strip() else {})}
    if text.strip() and is_url(text):
        return "link", {"url": text.strip()}
    return "self", {"selftext": text}
