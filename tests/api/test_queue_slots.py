"""Queue slots are wall-clock times in the queue's zone: their UTC instant follows daylight saving time.
Europe/Berlin in 2025: clocks go forward on Sunday 30 March (02:00 -> 03:00) and back on Sunday
26 October (03:00 -> 02:00)."""

from datetime import UTC, datetime

import pytest

from social_media.models import QueuedPost, Status
from social_media.services.queues import next_free_slot
from tests.factories import PostFactory, PostQueueFactory

pytestmark = pytest.mark.django_db


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def take(queue, at, status=Status.SCHEDULED):
    """A post of the queue that holds the slot at `at`."""
    post = PostFactory(workspace=queue.workspace, status=status, scheduled_time=at)
    QueuedPost.objects.create(queue=queue, post=post, position=queue.entries.count() + 1)
    return post


def test_it_puts_0900_berlin_at_0800_utc_before_and_0700_utc_after_spring_forward():
    queue = PostQueueFactory(timezone="Europe/Berlin", posting_schedule={"saturday": ["09:00"], "sunday": ["09:00"]})
    first = next_free_slot(queue, after=utc(2025, 3, 29, 0, 0))
    assert first == utc(2025, 3, 29, 8, 0)  # Saturday, CET (+01:00)
    take(queue, first)
    assert next_free_slot(queue, after=utc(2025, 3, 29, 0, 0)) == utc(2025, 3, 30, 7, 0)  # Sunday, CEST (+02:00)


def test_it_puts_0900_berlin_at_0700_utc_before_and_0800_utc_after_fall_back():
    queue = PostQueueFactory(timezone="Europe/Berlin", posting_schedule={"saturday": ["09:00"], "sunday": ["09:00"]})
    first = next_free_slot(queue, after=utc(2025, 10, 25, 0, 0))
    assert first == utc(2025, 10, 25, 7, 0)  # Saturday, CEST
    take(queue, first)
    assert next_free_slot(queue, after=utc(2025, 10, 25, 0, 0)) == utc(2025, 10, 26, 8, 0)  # Sunday, CET


def test_it_moves_a_slot_inside_the_spring_forward_gap_forward_by_the_gap():
    queue = PostQueueFactory(timezone="Europe/Berlin", posting_schedule={"sunday": ["02:30"]})
    slot = next_free_slot(queue, after=utc(2025, 3, 29, 0, 0))
    assert slot == utc(2025, 3, 30, 1, 30)  # 02:30 does not exist that night; 03:30 CEST
    take(queue, slot)
    assert next_free_slot(queue, after=utc(2025, 3, 29, 0, 0)) == utc(2025, 4, 6, 0, 30)  # 02:30 CEST a week later


def test_it_merges_a_gap_slot_with_the_slot_it_lands_on():
    queue = PostQueueFactory(timezone="Europe/Berlin", posting_schedule={"sunday": ["02:30", "03:30"]})
    slot = next_free_slot(queue, after=utc(2025, 3, 29, 0, 0))
    assert slot == utc(2025, 3, 30, 1, 30)
    take(queue, slot)
    assert next_free_slot(queue, after=utc(2025, 3, 29, 0, 0)) == utc(2025, 4, 6, 0, 30)


def test_it_uses_the_first_occurrence_of_a_time_that_happens_twice():
    queue = PostQueueFactory(timezone="Europe/Berlin", posting_schedule={"sunday": ["02:30"]})
    slot = next_free_slot(queue, after=utc(2025, 10, 25, 0, 0))
    assert slot == utc(2025, 10, 26, 0, 30)  # 02:30 CEST, before the clocks go back
    take(queue, slot)
    # the repeated 02:30 CET (01:30 UTC) is not a second slot
    assert next_free_slot(queue, after=utc(2025, 10, 25, 0, 0)) == utc(2025, 11, 2, 1, 30)


def test_it_follows_the_queue_zone_rules_not_europes():
    # New York springs forward on 9 March 2025, three weeks before Berlin
    queue = PostQueueFactory(timezone="America/New_York", posting_schedule={"saturday": ["09:00"], "sunday": ["09:00"]})
    assert next_free_slot(queue, after=utc(2025, 3, 8, 0, 0)) == utc(2025, 3, 8, 14, 0)  # EST
    take(queue, utc(2025, 3, 8, 14, 0))
    assert next_free_slot(queue, after=utc(2025, 3, 8, 0, 0)) == utc(2025, 3, 9, 13, 0)  # EDT


def test_it_skips_taken_slots_and_reuses_cancelled_or_failed_ones():
    queue = PostQueueFactory(timezone="UTC", posting_schedule={"monday": ["09:00", "15:00"]})
    after = utc(2025, 6, 1, 0, 0)  # a Sunday
    take(queue, utc(2025, 6, 2, 9, 0))
    take(queue, utc(2025, 6, 2, 15, 0), status=Status.CANCELLED)
    assert next_free_slot(queue, after=after) == utc(2025, 6, 2, 15, 0)
    take(queue, utc(2025, 6, 2, 15, 0), status=Status.FAILED)
    assert next_free_slot(queue, after=after) == utc(2025, 6, 2, 15, 0)
    take(queue, utc(2025, 6, 2, 15, 0))
    assert next_free_slot(queue, after=after) == utc(2025, 6, 9, 9, 0)


def test_it_ignores_posts_of_other_queues():
    queue = PostQueueFactory(timezone="UTC", posting_schedule={"monday": ["09:00"]})
    other = PostQueueFactory(workspace=queue.workspace, timezone="UTC", posting_schedule={"monday": ["09:00"]})
    take(other, utc(2025, 6, 2, 9, 0))
    assert next_free_slot(queue, after=utc(2025, 6, 1, 0, 0)) == utc(2025, 6, 2, 9, 0)


def test_it_only_offers_slots_strictly_after_the_given_moment():
    queue = PostQueueFactory(timezone="UTC", posting_schedule={"monday": ["09:00"]})
    assert next_free_slot(queue, after=utc(2025, 6, 2, 9, 0)) == utc(2025, 6, 9, 9, 0)
