"""The API's one pagination: ?page=N, and ?page_size= up to 100 (20 by default)."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100
