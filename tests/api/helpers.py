"""Small helpers of the API tests."""

from datetime import timedelta

from django.utils import timezone


def in_future(**delta):
    return (timezone.now() + timedelta(**(delta or {"days": 1}))).replace(microsecond=0)


def iso(moment):
    return moment.isoformat()


def fields_of(response):
    """The field errors of a 400 answer in the project's error shape."""
    body = response.json()
    assert body["error"]["code"] == "validation_error", body
    return body["error"]["fields"]
