"""The API's one pagination: ?page=N, and ?page_size= up to 100 (20 by default).

A page costs one query, not two: the rows of the page carry the total (COUNT(*) OVER (), which
PostgreSQL computes before LIMIT), where Django's paginator runs a separate COUNT first. A separate
count was a fifth of what the framework cost per list request (docs/benchmarks.md, "API speed"). It
is still used where one query cannot say it: DISTINCT and UNION querysets, orphans, rows other than
model instances, dicts and value lists, `?page=last`, an empty page beyond the first (which is not a
page: 404, as before) and page numbers no database offset can hold.
"""

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Count, QuerySet, Window
from django.db.models.query import FlatValuesListIterable, ModelIterable, ValuesIterable, ValuesListIterable
from rest_framework.pagination import PageNumberPagination

from .numbers import MAX_ID as MAX_OFFSET  # PostgreSQL's OFFSET is a bigint

TOTAL = "_pagination_total"


class CountingPaginator(Paginator):
    def page(self, number):
        rows_of = _unpacker(self.object_list)
        if rows_of is None or self.orphans or "count" in self.__dict__:
            return super().page(number)
        try:
            wanted = int(number) if not isinstance(number, float) or number.is_integer() else None
        except (TypeError, ValueError):
            wanted = None
        if wanted is None or wanted < 1 or wanted * self.per_page > MAX_OFFSET:
            return super().page(number)  # its PageNotAnInteger / EmptyPage, after its count
        number = wanted
        bottom = (number - 1) * self.per_page
        rows, total = rows_of(self.object_list.annotate(**{TOTAL: Window(Count("*"))}), bottom, bottom + self.per_page)
        if not rows and (number > 1 or not self.allow_empty_first_page):
            raise EmptyPage(self.error_messages["no_results"] if number > 1 else self.error_messages["min_page"])
        self.__dict__["count"] = total
        return self._get_page(rows, number, self)


def _unpacker(queryset):
    """A function (annotated queryset, bottom, top) -> (rows as the queryset gives them, total), or None."""
    if not isinstance(queryset, QuerySet) or queryset.query.distinct or queryset.query.combinator:
        return None
    kind = queryset._iterable_class
    if kind is ModelIterable:
        def models(annotated, bottom, top):
            rows = list(annotated[bottom:top])
            total = getattr(rows[0], TOTAL) if rows else 0
            for row in rows:
                delattr(row, TOTAL)
            return rows, total
        return models
    if kind is ValuesIterable:
        def dicts(annotated, bottom, top):
            rows = list(annotated[bottom:top])
            total = rows[0][TOTAL] if rows else 0
            for row in rows:
                del row[TOTAL]
            return rows, total
        return dicts
    if kind in (ValuesListIterable, FlatValuesListIterable) and queryset._fields:
        flat = kind is FlatValuesListIterable
        fields = queryset._fields

        def tuples(annotated, bottom, top):
            rows = list(annotated.values_list(*fields, TOTAL)[bottom:top])
            total = rows[0][-1] if rows else 0
            return [row[0] if flat else row[:-1] for row in rows], total
        return tuples
    return None


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100
    django_paginator_class = CountingPaginator
