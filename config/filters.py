"""The API's query-string filter backend: django-filter's, skipped when the query string names none of
the view's filters. Building and validating an empty FilterSet form cost ~0.5 ms a request (a third of
the framework's overhead on an unfiltered list, docs/benchmarks.md "API speed") to change nothing."""

import django_filters
from django import forms
from django_filters import FilterSet
from django_filters.rest_framework import DjangoFilterBackend

from .numbers import MAX_ID


class IdFilter(django_filters.NumberFilter):
    """A row id in the query string: a whole number from 1 to the largest bigint. "1.5" is a 400, not
    folder 1 (NumberFilter reads decimals, and the database casts them)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def _names_a_filter(params, names):
    # A filter reads its name, or its name with a suffix (RangeFilter: price_min, price_max).
    return any(key == name or key.startswith(name + "_") for key in params for name in names)


class FilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        plain = filterset_class.filter_queryset is FilterSet.filter_queryset and filterset_class.qs is FilterSet.qs
        if plain and not _names_a_filter(request.query_params, filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)
