"""Every date/time the API reads is converted to UTC or refused with a 400 field error
(config/datetimes.py); offsets PostgreSQL cannot store never reach it."""

from datetime import UTC, datetime

import pytest

from tests.api.helpers import fields_of
from tests.factories import PostFactory, PostTargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(workspace, account):
    post = PostFactory(workspace=workspace, scheduled_time=datetime(2030, 1, 1, 12, tzinfo=UTC), status="scheduled")
    PostTargetFactory(post=post, account=account)
    return post


@pytest.mark.parametrize("value", ["2030-01-01T00:00:00+16:00", "2029-12-31T00:00:00-23:59", "2030-01-01T00:00:00+23:59"])
def test_a_filter_with_an_offset_postgresql_refuses_is_converted(auth_api, post, value):
    response = auth_api.get("/api/v1/posts/", {"scheduled_after": value})

    assert response.status_code == 200, response.content
    assert [p["id"] for p in response.json()["results"]] == [post.pk]


def test_a_converted_filter_selects_by_the_utc_instant(auth_api, post):
    # 2030-01-02T03:59+16:00 is 2030-01-01T11:59Z: before the post's 12:00Z; 04:01+16:00 is after it.
    assert len(auth_api.get("/api/v1/posts/", {"scheduled_after": "2030-01-02T03:59:00+16:00"}).json()["results"]) == 1
    assert len(auth_api.get("/api/v1/posts/", {"scheduled_after": "2030-01-02T04:01:00+16:00"}).json()["results"]) == 0


@pytest.mark.parametrize("name, value", [
    ("scheduled_before", "9999-12-31T23:59:59-23:59"),
    ("scheduled_after", "0001-01-01T00:00:00+01:00"),
    ("scheduled_after", "2030-13-01T00:00:00Z"),
    ("scheduled_after", "2030-01-01T00:00:00+24:00"),
])
def test_a_filter_out_of_range_is_a_field_error(auth_api, post, name, value):
    response = auth_api.get("/api/v1/posts/", {name: value})

    assert response.status_code == 400, response.content
    assert name in fields_of(response)


def test_a_body_time_with_a_large_offset_is_stored_in_utc(auth_api, account):
    response = auth_api.post(
        "/api/v1/posts/",
        {"content": "hello", "target_accounts": [account.pk], "scheduled_time": "2031-06-01T20:00:00+16:00"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["scheduled_time"] == "2031-06-01T04:00:00Z"


def test_a_body_time_that_overflows_in_utc_is_a_field_error(auth_api, post):
    response = auth_api.post(f"/api/v1/posts/{post.pk}/schedule/", {"scheduled_time": "9999-12-31T23:59:59-23:59"}, format="json")

    assert response.status_code == 400
    assert "scheduled_time" in fields_of(response)


@pytest.mark.parametrize("value", ["2030-01-01T00:00:00+16:00", "9999-12-31T23:59:59-23:59"])
def test_analytics_windows_never_500(auth_api, value):
    response = auth_api.get("/api/v1/analytics/overview/", {"since": value})

    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert "since" in fields_of(response)
