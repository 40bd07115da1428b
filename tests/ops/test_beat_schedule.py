"""The periodic jobs in settings.CELERY_BEAT_SCHEDULE live in django-celery-beat's tables, where staff edit them."""

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config.beat import Scheduler, sync_beat_schedule
from config.celery import app

pytestmark = pytest.mark.django_db

EXPECTED_TASKS = {
    "social_media.tasks.dispatch_due_task",
    "social_media.tasks.sweep_task",
    "social_media.tasks.refresh_tokens_task",
    "social_media.tasks.refresh_account_limits_task",
    "social_media.tasks.delete_expired_oauth_states_task",
    "analytics.tasks.collect_due_metrics_task",
    "media.tasks.delete_orphaned_files_task",
    "feeds.tasks.poll_due_feeds_task",
    "analytics.tasks.collect_due_account_metrics_task",
    "alerts.tasks.check_alerts_task",
    "first_comments.tasks.dispatch_first_comments_task",
}


def test_it_has_every_settings_entry_in_the_tables_after_migrate():
    rows = {task.name: task for task in PeriodicTask.objects.filter(name__in=settings.CELERY_BEAT_SCHEDULE)}

    assert set(rows) == set(settings.CELERY_BEAT_SCHEDULE)
    assert {row.task for row in rows.values()} == EXPECTED_TASKS
    dispatch = rows["dispatch-due-targets"]
    assert dispatch.interval.every == settings.CELERY_BEAT_SCHEDULE["dispatch-due-targets"]["schedule"].total_seconds()
    assert dispatch.interval.period == IntervalSchedule.SECONDS
    assert dispatch.queue == "default"
    assert dispatch.expire_seconds == 10  # the `expires` option survives (the stock scheduler drops it)
    tokens = rows["refresh-expiring-tokens"].crontab
    assert (tokens.minute, tokens.hour) == ("17", "3")
    metrics = rows["collect-due-metrics"]
    assert (metrics.interval.every, metrics.interval.period) == (600, IntervalSchedule.SECONDS)
    assert metrics.expire_seconds == 300


def test_it_is_idempotent():
    before = PeriodicTask.objects.count()

    result = sync_beat_schedule()

    assert PeriodicTask.objects.count() == before
    assert result.created == [] and result.updated == []
    assert sorted(result.unchanged) == sorted(settings.CELERY_BEAT_SCHEDULE)


def test_it_keeps_a_schedule_staff_edited_in_the_admin():
    row = PeriodicTask.objects.get(name="sweep-stuck-targets")
    row.interval = IntervalSchedule.objects.create(every=5, period=IntervalSchedule.MINUTES)
    row.enabled = False
    row.save()

    sync_beat_schedule()

    row.refresh_from_db()
    assert (row.interval.every, row.interval.period) == (5, IntervalSchedule.MINUTES)
    assert row.enabled is False


def test_it_points_an_entry_at_the_task_the_code_names_now():
    PeriodicTask.objects.filter(name="sweep-stuck-targets").update(task="social_media.tasks.old_name")

    result = sync_beat_schedule()

    assert result.updated == ["sweep-stuck-targets"]
    assert PeriodicTask.objects.get(name="sweep-stuck-targets").task == "social_media.tasks.sweep_task"


def test_it_creates_an_entry_added_to_the_code():
    schedule = {"nightly": {"task": "analytics.tasks.collect_task", "schedule": crontab(minute=0, hour=2), "args": [1], "options": {"expires": timedelta(hours=1)}}}

    result = sync_beat_schedule(schedule=schedule)

    row = PeriodicTask.objects.get(name="nightly")
    assert result.created == ["nightly"]
    assert (row.task, row.args, row.expire_seconds) == ("analytics.tasks.collect_task", "[1]", 3600)
    assert (row.crontab.minute, row.crontab.hour) == ("0", "2")


@pytest.mark.django_db(transaction=True)  # beat closes "old" connections, which ends a test transaction
def test_beat_starts_without_resetting_admin_edits():
    row = PeriodicTask.objects.get(name="dispatch-due-targets")
    row.interval = IntervalSchedule.objects.create(every=30, period=IntervalSchedule.SECONDS)
    row.save()

    scheduler = Scheduler(app=app, lazy=False)

    row.refresh_from_db()
    assert row.interval.every == 30
    assert "dispatch-due-targets" in scheduler.schedule
    assert settings.CELERY_BEAT_SCHEDULER == "config.beat:Scheduler"
