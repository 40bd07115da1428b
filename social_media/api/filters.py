"""Query-string filters of the list endpoints. Invalid values answer 400 with field errors."""

import django_filters

from config.datetimes import UTCDateTimeFilter
from config.filters import IdFilter

from social_media.models import ConnectedAccount, Post, Status
from social_media.platforms.registry import PLATFORM_CHOICES


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
