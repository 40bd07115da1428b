"""Date/time input, converted to UTC before it reaches the database, or refused as a field error.

Python accepts UTC offsets up to ±23:59, PostgreSQL only up to ±15:59: a value such as
2030-01-01T00:00:00+16:00 that is passed on with its offset fails in the database (DataError, a 500).
And converting an instant near the ends of the calendar (9999-12-31T23:59:59-23:59) overflows.
Every date/time the API reads, in a body (`UTCDateTimeField`) or a query string (`UTCDateTimeFilter`),
goes through `as_utc`, so the database only ever sees UTC instants inside Python's range.
"""

from datetime import UTC, datetime

import django_filters
from django import forms
from django.utils import timezone
from rest_framework import serializers

OUT_OF_RANGE = "This time is outside the supported range (years 1 to 9999 in UTC)."


def as_utc(value: datetime) -> datetime:
    """The same instant in UTC (a naive value is read as UTC). OverflowError when it has none."""
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class UTCDateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField, always returning UTC whatever the active time zone."""

    default_error_messages = {"overflow": OUT_OF_RANGE}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default_timezone", UTC)
        super().__init__(*args, **kwargs)


class UTCDateTimeFormField(django_filters.fields.IsoDateTimeField):
    """ISO 8601 query-string value as a UTC datetime; out-of-range instants are a form error."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def to_python(self, value):
        result = super().to_python(value)
        if result is None:
            return None
        try:
            return as_utc(result)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range")


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCDateTimeFormField


def iso(value):
    """A datetime as DRF's DateTimeField renders it in the API (ISO 8601 in UTC, "Z" suffix)."""
    if value is None:
        return None
    if value.utcoffset():
        value = value.astimezone(UTC)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
