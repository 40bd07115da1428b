"""Celery application: queues, routes, reliability settings. Beat entries are seeded into
django-celery-beat (admin-editable) by the `social_media` app; see `CELERY_BEAT_SCHEDULE` in settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("scheduler")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
