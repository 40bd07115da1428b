"""Serializer fields shared by the posts, queues and accounts API."""

from collections import Counter
from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from accounts.context import request_workspace
from config.datetimes import UTCDateTimeField
from config.numbers import MAX_ID
from config.sizes import BoundedListField, listing


class AwareFutureDateTimeField(UTCDateTimeField):
    """ISO 8601 with an explicit offset ("Z" or "+02:00"), in the future. A naive time is refused
    rather than guessed: the server cannot know which zone the caller meant."""

    default_error_messages = {
        "naive": "Give a time with a UTC offset, e.g. 2030-01-31T09:00:00+01:00.",
        "past": "Must be in the future.",
    }

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None  # well-formed but impossible (month 13): the parent reports it
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        elif isinstance(value, datetime) and timezone.is_naive(value):
            self.fail("naive")
        result = super().to_internal_value(value)
        if result <= timezone.now():
            self.fail("past")
        return result


class WorkspaceObjectsField(BoundedListField):
    """An ordered list of ids of objects in the request's workspace, resolved in one query into the
    objects themselves. Unknown ids, and ids of other workspaces, are field errors. The list's size is
    checked before anything else (BoundedListField)."""

    child = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    def __init__(self, *, queryset, noun, **kwargs):
        self.queryset, self.noun = queryset, noun
        super().__init__(**kwargs)

    def get_queryset(self, workspace):
        return self.queryset(workspace) if callable(self.queryset) else self.queryset.filter(workspace=workspace)

    def to_internal_value(self, data):
        ids = super().to_internal_value(data)
        duplicates = sorted(i for i, n in Counter(ids).items() if n > 1)
        if duplicates:
            raise serializers.ValidationError(f"Each id may appear once; repeated: {listing(duplicates)}.")
        workspace = request_workspace(self.context["request"])
        found = self.get_queryset(workspace).in_bulk(ids)
        missing = [i for i in ids if i not in found]
        if missing:
            raise serializers.ValidationError(f"No {self.noun} with id {listing(missing)} in this workspace.")
        return [found[i] for i in ids]

    def to_representation(self, value):
        items = value.all() if hasattr(value, "all") else value
        return [item.pk for item in items]
