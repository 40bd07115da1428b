"""Query-string filters of the list endpoints. Invalid values answer 400 with field errors."""

import django_filters
from django import forms

from config.datetimes import UTCDateTimeFilter

from social_media.models import ConnectedAccount, Post, Status
from social_media.platforms.registry import PLATFORM_CHOICES

from .fields import MAX_ID


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class PostFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, help_text="Repeat for several: ?status=draft&status=scheduled")
    platform = django_filters.ChoiceFilter(field_name="targets__account__platform", choices=PLATFORM_CHOICES, distinct=True)
    account = IdFilter(field_name="targets__account_id", distinct=True, help_text="Posts with a target on this account.")
    scheduled_after = UTCDateTimeFilter(field_name="scheduled_time", lookup_expr="gte")
    scheduled_before = UTCDateTimeFilter(field_name="scheduled_time", lookup_expr="lte")

    class Meta:
        model = Post
        fields = []


class ConnectedAccountFilter(django_filters.FilterSet):
    platform = django_filters.ChoiceFilter(choices=PLATFORM_CHOICES)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = ConnectedAccount
        fields = []
