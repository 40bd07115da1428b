"""Reading an import file into rows (column -> value), before anything in it is looked up.

CSV is read with the csv module from UTF-8 (a byte-order mark is allowed); nothing in a cell is ever
evaluated, so a cell like `=HYPERLINK(...)` is imported as the text it is. JSON is a list of objects with
the same keys as the CSV's columns; list values are allowed where the CSV separates with `;`.
A file over MAX_FILE_BYTES or with more than MAX_ROWS rows, another encoding, a column nobody knows or a
row with more cells than the header is refused as a whole, with the reason in the `file` field."""

import csv
import io

from django.conf import settings
from rest_framework.exceptions import ValidationError

from config.parsers import TooDeeplyNested, loads
from social_media.platforms import PLATFORMS

PER_NETWORK = tuple(f"text_{key}" for key in PLATFORMS)
# Per-target network settings (social_media.platforms.reddit.rules.SETTING_KEYS), for the row's Reddit accounts.
REDDIT = ("reddit_subreddit", "reddit_title", "reddit_flair_id", "reddit_flair_text", "reddit_url")
COLUMNS = ("text", "thread", *PER_NETWORK, "accounts", "time", "queue", "media_urls", "alt_text", *REDDIT)
# In CSV a thread's parts after the first share the `thread` cell, each separated by a line holding only this
# (the export writes them so; the import splits on it).
PART_SEPARATOR = "---"
LIST_COLUMNS = ("accounts", "media_urls", "alt_text", "thread")  # `thread`: the texts of the parts after the first


def max_file_bytes():
    return getattr(settings, "IMPORT_MAX_FILE_BYTES", 2 * 1024 * 1024)


def max_rows():
    return getattr(settings, "IMPORT_MAX_ROWS", 5000)


def _refuse(message):
    raise ValidationError({"file": [message]})


def check_size(size):
    if size > max_file_bytes():
        _refuse(f"The file is larger than {max_file_bytes() // 1024:,} KB; split it into smaller files.")


def read_rows(*, name, data: bytes) -> list[dict]:
    """The file's rows as dicts of known columns; ValidationError({"file": [...]}) for a file that
    cannot be read as a whole."""
    check_size(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _refuse("The file is not UTF-8 text. Save it as \"CSV UTF-8\" (or JSON in UTF-8) and upload it again.")
    if "\x00" in text:
        _refuse("The file contains NUL characters; it is not a text file.")
    is_json = (name or "").lower().endswith(".json") or text.lstrip()[:1] == "["
    rows = _json_rows(text) if is_json else _csv_rows(text)
    if not rows:
        _refuse("The file has no rows.")
    if len(rows) > max_rows():
        _refuse(f"The file has {len(rows):,} rows; at most {max_rows():,} are imported at once.")
    return rows


def _check_columns(names):
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        _refuse(f"Unknown columns: {', '.join(map(str, unknown[:10]))}. The columns are: {', '.join(COLUMNS)}.")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        _refuse(f"Columns named twice: {', '.join(repeated)}.")


def _csv_rows(text):
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return []
        names = [h.strip().lower() for h in header]
        _check_columns(names)
        rows = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue  # blank line
            if len(cells) > len(names):
                _refuse(f"Line {reader.line_num} has {len(cells)} cells but the header names {len(names)} columns.")
            rows.append({name: cell for name, cell in zip(names, cells)})
            if len(rows) > max_rows():
                break
        return rows
    except csv.Error as exc:
        _refuse(f"The file is not valid CSV (line {reader.line_num}: {exc}).")


def _json_rows(text):
    try:
        value = loads(text)
    except (ValueError, TooDeeplyNested):
        _refuse("The file is not valid JSON.")
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        _refuse("A JSON import is a list of objects, one per post.")
    names = sorted({key for item in value for key in item})
    _check_columns(names)
    rows = []
    for item in value[: max_rows() + 1]:
        row = {}
        for key, cell in item.items():
            if key in LIST_COLUMNS and isinstance(cell, list):
                if key == "thread" and any(isinstance(c, (dict, list)) for c in cell):
                    _refuse("thread must be a list of texts (the parts after the first), or text with the parts separated by lines of ---.")
                row[key] = ["" if c is None else str(c) for c in cell]  # kept whole: an alt text may hold ";"
                continue
            if isinstance(cell, (dict, list)):
                _refuse(f"{key} must be text, not {type(cell).__name__}.")
            row[key] = "" if cell is None else str(cell)
        if any("\x00" in cell for value in row.values() for cell in (value if isinstance(value, list) else [value])):
            # an escaped \u0000 in the JSON: PostgreSQL stores no NUL in text
            _refuse("The file contains NUL characters (\\u0000); remove them.")
        rows.append(row)
    return rows
