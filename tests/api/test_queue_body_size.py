"""A queue request is refused by its size before its body is read (issue 19, security item 9): a
posting_schedule of 450,000 keys (6 MB) cost 4.2 s of JSON parsing before its count was checked.

The proof that nothing was read: the test client's body stream (django.test.client.FakePayload)
raises AssertionError on any read past the bytes it holds, and these requests declare a Content-Length
far beyond the few bytes they send. A server that read or parsed the body would fail the test."""

import json

import pytest

from social_media.api.queue_views import MAX_QUEUE_BODY_BYTES
from social_media.models import PostQueue
from social_media.services.queues import DAYS, MAX_SLOTS_PER_DAY
from tests.factories import ConnectedAccountFactory, PostQueueFactory

from .helpers import fields_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/queues/"
SIZE_ERROR = (f"The request body is 6,188,944 bytes; a queue request is at most {MAX_QUEUE_BODY_BYTES:,} "
              f"(a posting_schedule holds at most 7 days of {MAX_SLOTS_PER_DAY} times).")


def declaring(client, method, url, size):
    """Send a few bytes of JSON while declaring `size` bytes: any read of the body fails loudly."""
    return getattr(client, method)(url, b'{"name": "Q", "posting_schedule": {', content_type="application/json",
                                   CONTENT_LENGTH=str(size))


def test_the_audits_450000_key_schedule_is_refused_with_a_field_error(auth_api):
    schedule = json.dumps({"name": "Q", "timezone": "UTC", "posting_schedule": {str(i): [] for i in range(450_000)}})
    assert len(schedule) == 6_188_944
    answer = auth_api.post(URL, schedule, content_type="application/json")
    assert answer.status_code == 400
    assert fields_of(answer) == {"non_field_errors": [SIZE_ERROR]}
    assert not PostQueue.objects.exists()


@pytest.mark.parametrize("method, path", [("post", ""), ("patch", "{pk}/"), ("post", "{pk}/reorder/"), ("post", "{pk}/add-post/")])
def test_an_oversized_queue_request_is_refused_before_its_body_is_read(auth_api, workspace, method, path):
    queue = PostQueueFactory(workspace=workspace)
    answer = declaring(auth_api, method, URL + path.format(pk=queue.pk), 6_188_944)
    assert answer.status_code == 400
    assert fields_of(answer) == {"non_field_errors": [SIZE_ERROR]}


def test_who_may_write_is_checked_before_the_size(api, workspace):
    answer = declaring(api, "post", URL, 6_188_944)
    assert answer.status_code == 401


def test_the_largest_real_queue_fits(auth_api, workspace):
    accounts = [ConnectedAccountFactory(workspace=workspace).pk for _ in range(100)]
    schedule = {day: [f"{h:02}:{m:02}" for h in range(24) for m in (0, 30)] for day in DAYS}
    body = json.dumps({"name": "N" * 200, "description": "d" * 40_000, "timezone": "America/Argentina/ComodRivadavia",
                       "target_accounts": accounts, "posting_schedule": schedule})
    assert len(body) < MAX_QUEUE_BODY_BYTES
    answer = auth_api.post(URL, body, content_type="application/json")
    assert answer.status_code == 201, answer.content[:300]
    assert sum(map(len, PostQueue.objects.get().posting_schedule.values())) == 7 * MAX_SLOTS_PER_DAY
