"""The text of a feed item's post: a template such as "{title} {link}", filled with str.format_map on a
mapping of plain strings (never eval), and shortened for a network whose limit it passes.

Shortening: the text fields ({summary}, then {title}) are cut at a word boundary and end with "…"
until the text fits the account's limit as its network counts it (adapter.text_usage: X weighs URLs
as 23, Bluesky counts graphemes, Mastodon reads the instance's limit); links are never cut. What still
does not fit (a long fixed text in the template) stays whole, and the post is kept as a draft with the
network's validation error on the item (services.py)."""

from __future__ import annotations

import string

from rest_framework.exceptions import ValidationError

PLACEHOLDERS = {
    "title": "the item's title",
    "link": "the item's link",
    "summary": "the item's summary or description, as plain text",
    "author": "the item's author",
    "feed_title": "the feed's title",
}
HELP = "Placeholders: " + ", ".join(f"{{{name}}} ({text})" for name, text in PLACEHOLDERS.items()) + "."
SHORTENABLE = ("summary", "title")  # in this order
ELLIPSIS = "…"


def clean_template(value: str) -> str:
    """The template, or ValidationError (a list) naming what is wrong: unknown placeholders, attribute or
    index access, conversions and format specs, unbalanced braces."""
    names = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(value) if name is not None]
    except ValueError as exc:
        raise ValidationError([f"The template is not valid ({exc}); write a literal brace as {{{{ or }}}}."]) from None
    errors = []
    for name, spec, conversion in fields:
        if name not in PLACEHOLDERS:
            errors.append(f"Unknown placeholder {{{name}}}; use {names}.")
        elif spec or conversion:
            errors.append(f"Write {{{name}}} without a format or conversion.")
    if not fields:
        errors.append(f"The template uses no placeholder; use {names}.")
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))
    return value


class _Values(dict):
    def __missing__(self, key):
        return ""


def render(template: str, values: dict) -> str:
    """The template filled with `values` (plain strings); runs of blank lines and edge spaces trimmed."""
    text = template.format_map(_Values({name: str(values.get(name) or "") for name in PLACEHOLDERS}))
    return text.strip()


def _word_cuts(text: str) -> list[int]:
    """Where `text` may be cut: before each run of spaces, never inside a word."""
    return [i for i in range(1, len(text)) if text[i].isspace() and not text[i - 1].isspace()]


def fit(template: str, values: dict, fits) -> tuple[str, list[str]]:
    """The rendered text, shortened until `fits(text)` holds, and which fields were shortened. Each
    shortenable field is cut at the longest word boundary that fits (binary search), or emptied."""
    values = {name: str(values.get(name) or "") for name in PLACEHOLDERS}
    text = render(template, values)
    shortened = []
    for field in SHORTENABLE:
        if fits(text):
            break
        original = values[field]
        if not original:
            continue
        shortened.append(field)
        cuts = _word_cuts(original)

        def attempt(index):
            return render(template, {**values, field: original[: cuts[index]].rstrip() + ELLIPSIS})

        low, high, best = 0, len(cuts) - 1, None
        while low <= high:
            middle = (low + high) // 2
            if fits(attempt(middle)):
                best, low = middle, middle + 1
            else:
                high = middle - 1
        values[field] = original[: cuts[best]].rstrip() + ELLIPSIS if best is not None else ""
        text = render(template, values)
    return text, shortened
