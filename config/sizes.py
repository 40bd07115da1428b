"""Collections in request bodies: their size is checked before any per-item work, and one response
lists at most MAX_ITEM_ERRORS of their problems (then a count of the rest).

DRF's ListField validates every item before its max_length validator runs, and reports an error for
each one: 900,000 unknown ids cost seconds and an 8 MB error body. `BoundedListField` and
`BoundedDictField` refuse an oversized collection first, from its length alone.
"""

from rest_framework import serializers

MAX_ITEM_ERRORS = 20


def listing(items, *, limit=MAX_ITEM_ERRORS) -> str:
    """'1, 2, 3' or, past `limit` items, '1, 2, ... 20 and 899,980 more'."""
    items = list(items)
    shown = ", ".join(map(str, items[:limit]))
    rest = len(items) - limit
    return f"{shown} and {rest:,} more" if rest > 0 else shown


def capped(errors: dict, *, limit=MAX_ITEM_ERRORS) -> dict:
    """The first `limit` entries of a {item: errors} mapping, plus a "more" entry counting the rest."""
    if not isinstance(errors, dict) or len(errors) <= limit:
        return errors
    kept = dict(list(errors.items())[:limit])
    kept["more"] = [f"{len(errors) - limit:,} more items have errors."]
    return kept


def check_size(value, max_length, *, noun="items"):
    """A ValidationError when `value` holds more than `max_length` entries (cheap: len only)."""
    if max_length is not None and hasattr(value, "__len__") and len(value) > max_length:
        raise serializers.ValidationError(f"At most {max_length} {noun}; got {len(value):,}.", code="max_length")


class BoundedListField(serializers.ListField):
    """A ListField that checks max_length before validating items, and caps the item errors."""

    def to_internal_value(self, data):
        if isinstance(data, (list, tuple)):
            check_size(data, self.max_length)
        return super().to_internal_value(data)

    def run_child_validation(self, data):
        try:
            return super().run_child_validation(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError(capped(exc.detail)) from None


class BoundedDictField(serializers.DictField):
    """A DictField with `max_length` (entries), checked before any value is validated; item errors capped."""

    def __init__(self, *, max_length, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            check_size(data, self.max_length, noun="entries")
        return super().to_internal_value(data)

    def run_child_validation(self, data):
        try:
            return super().run_child_validation(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError(capped(exc.detail)) from None
