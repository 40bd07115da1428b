"""Periodic jobs: `settings.CELERY_BEAT_SCHEDULE` is the code's list of them; django-celery-beat's
tables are what beat actually runs and what staff edit in the admin (Periodic tasks).

`sync_beat_schedule()` makes the tables hold every entry of the code's list. It is idempotent and
runs after every `migrate` (post_migrate, see social_media/apps.py) and when beat starts. Ownership:

- the code owns *what* runs: task name, args, kwargs follow settings on every sync;
- staff own *when* and *whether*: an entry that already exists keeps its schedule, enabled flag,
  queue and expiry as edited in the admin; only missing entries are created from settings.

django-celery-beat's stock DatabaseScheduler does the opposite: at every start it update_or_create()s
each settings entry, resetting admin edits, and it drops the `expires` option. `Scheduler` below is
that scheduler with its start-up seeding replaced by this sync (settings.CELERY_BEAT_SCHEDULER).
"""

import json
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler, ModelEntry


@dataclass
class SyncResult:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)

    def summary(self):
        return f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged"


def _expire_seconds(expires):
    """A periodic job's `expires` option as the seconds django-celery-beat stores (None = never)."""
    if expires is None:
        return None
    if isinstance(expires, timedelta):
        return int(expires.total_seconds())
    if isinstance(expires, (int, float)) and not isinstance(expires, bool):
        return int(expires)
    raise ValueError(f"'expires' of a periodic job must be seconds or a timedelta, not {expires!r}")


def _code_fields(entry):
    return {
        "task": entry["task"],
        "args": json.dumps(list(entry.get("args") or [])),
        "kwargs": json.dumps(dict(entry.get("kwargs") or {})),
    }


def _new_task_fields(entry):
    options = dict(entry.get("options") or {})
    schedule_model, schedule_field = ModelEntry.to_model_schedule(entry["schedule"])
    return {
        **_code_fields(entry),
        schedule_field: schedule_model,
        "queue": options.get("queue"),
        "expire_seconds": _expire_seconds(options.get("expires")),
        "description": entry.get("description", "Seeded from settings.CELERY_BEAT_SCHEDULE; edit freely."),
    }


@transaction.atomic
def sync_beat_schedule(*, schedule=None):
    """Create the missing periodic tasks of `schedule` (default: settings.CELERY_BEAT_SCHEDULE) and
    point existing ones at the task/args/kwargs the code names. Returns what it did."""
    schedule = settings.CELERY_BEAT_SCHEDULE if schedule is None else schedule
    result = SyncResult()
    for name, entry in schedule.items():
        existing = PeriodicTask.objects.select_for_update().filter(name=name).first()
        if existing is None:
            PeriodicTask.objects.create(name=name, **_new_task_fields(entry))
            result.created.append(name)
            continue
        wanted = _code_fields(entry)
        changed = [key for key, value in wanted.items() if getattr(existing, key) != value]
        if changed:
            for key in changed:
                setattr(existing, key, wanted[key])
            existing.save(update_fields=changed)
            result.updated.append(name)
        else:
            result.unchanged.append(name)
    return result


def sync_after_migrate(sender, *, using="default", verbosity=1, **kwargs):
    """post_migrate receiver: seed the schedule once django-celery-beat's tables exist."""
    from django.db import connections

    if using != "default" or PeriodicTask._meta.db_table not in connections[using].introspection.table_names():
        return
    result = sync_beat_schedule()
    if verbosity >= 1 and (result.created or result.updated):
        print(f"  Beat schedule: {result.summary()}.")


class Scheduler(DatabaseScheduler):
    """django-celery-beat's DatabaseScheduler that seeds missing entries instead of overwriting them."""

    def setup_schedule(self):
        sync_beat_schedule(schedule=self.app.conf.beat_schedule)
        self.install_default_entries(self.schedule)
