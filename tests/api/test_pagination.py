"""A page is read with its total in one query (config/pagination.py), and answers exactly as Django's
paginator did: the same rows, the same count, the same links, the same 404s."""

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.pagination import CountingPaginator
from social_media.models import Post
from tests.factories import PostFactory

from .helpers import in_future

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/posts/"


@pytest.fixture
def seven(workspace):
    return [PostFactory(workspace=workspace, scheduled_time=in_future(hours=i + 1)) for i in range(7)]


def sql_of(api, url):
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    return response, [q["sql"] for q in captured]


def test_a_page_and_its_total_are_one_query(auth_api, seven):
    response, sql = sql_of(auth_api, f"{POSTS}?page=2&page_size=3")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 7 and len(body["results"]) == 3
    assert body["next"].endswith(f"{POSTS}?page=3&page_size=3") and body["previous"].endswith(f"{POSTS}?page_size=3")
    assert not [s for s in sql if s.startswith("SELECT COUNT(")]
    assert any("COUNT(*) OVER ()" in s for s in sql)


def test_the_last_page_and_the_pages_beyond_it(auth_api, seven):
    last = auth_api.get(f"{POSTS}?page=3&page_size=3").json()
    assert last["count"] == 7 and len(last["results"]) == 1 and last["next"] is None

    assert auth_api.get(f"{POSTS}?page=last&page_size=3").json() == last
    for page in ("4", "0", "-1", "abc", "1.5", "9" * 30):
        response = auth_api.get(f"{POSTS}?page={page}&page_size=3")
        assert response.status_code == 404, page
        assert response.json()["error"]["message"] == "Invalid page."


def test_an_empty_first_page_counts_zero(auth_api):
    body = auth_api.get(POSTS).json()
    assert body == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize(
    "shape",
    [
        lambda qs: qs,
        lambda qs: qs.values("id", "content"),
        lambda qs: qs.values(),
        lambda qs: qs.values_list("id", "content"),
        lambda qs: qs.values_list("id", flat=True),
        lambda qs: qs.values_list("content", flat=True).distinct(),
        lambda qs: qs.union(qs).order_by("scheduled_time", "id"),
    ],
    ids=["models", "dicts", "all-dicts", "tuples", "flat", "distinct", "union"],
)
@pytest.mark.parametrize("number", [1, 2, 3, "3", 3.0])
def test_every_queryset_shape_pages_as_django_s_paginator_does(workspace, seven, shape, number):
    def queryset():
        return shape(Post.objects.filter(workspace=workspace).order_by("scheduled_time", "id"))

    ours, django = CountingPaginator(queryset(), 3).page(number), Paginator(queryset(), 3).page(number)

    def plain(rows):
        return [row.pk if isinstance(row, Post) else row for row in rows]

    assert plain(ours) == plain(django)
    assert ours.paginator.count == django.paginator.count == 7
    assert (ours.has_next(), ours.has_previous()) == (django.has_next(), django.has_previous())
    assert all(not hasattr(row, "_pagination_total") for row in ours if isinstance(row, Post))


@pytest.mark.parametrize("number, error", [(4, EmptyPage), (0, EmptyPage), ("x", PageNotAnInteger), (1.5, PageNotAnInteger), (10**30, EmptyPage)])
def test_pages_that_do_not_exist_raise_what_django_raises(workspace, seven, number, error):
    with pytest.raises(error):
        CountingPaginator(Post.objects.filter(workspace=workspace).order_by("id"), 3).page(number)
