"""The dispatcher's and sweeper's Celery lines (every few seconds) are DEBUG; other tasks' stay INFO."""

import logging

import pytest

from config.logging import RoutineTasksAtDebug


@pytest.fixture
def beat_logger():
    logger = logging.getLogger("celery.beat")
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    previous = logger.level
    logger.addHandler(handler)
    logger.addFilter(f := RoutineTasksAtDebug())
    yield logger, records
    logger.removeFilter(f)
    logger.removeHandler(handler)
    logger.setLevel(previous)


SENDING = "Scheduler: Sending due task %s (%s)"


def test_at_info_the_dispatcher_line_is_dropped_and_other_tasks_are_kept(beat_logger):
    logger, records = beat_logger
    logger.setLevel(logging.INFO)

    logger.info(SENDING, "dispatch-due-targets", "social_media.tasks.dispatch_due_task")
    logger.info(SENDING, "sweep-stuck-targets", "social_media.tasks.sweep_task")
    logger.info(SENDING, "refresh-tokens", "social_media.tasks.refresh_tokens_task")

    assert [r.getMessage() for r in records] == ["Scheduler: Sending due task refresh-tokens (social_media.tasks.refresh_tokens_task)"]
    assert records[0].levelname == "INFO"


def test_at_debug_the_dispatcher_line_shows_as_debug(beat_logger):
    logger, records = beat_logger
    logger.setLevel(logging.DEBUG)

    logger.info(SENDING, "dispatch-due-targets", "social_media.tasks.dispatch_due_task")

    assert [(r.levelname, r.levelno) for r in records] == [("DEBUG", logging.DEBUG)]
