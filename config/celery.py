"""Celery application: queues, routes, reliability settings. Beat entries are seeded into
django-celery-beat (admin-editable) by the `social_media` app; see `CELERY_BEAT_SCHEDULE` in settings."""

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("scheduler")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def redact_worker_logs(logger, **kwargs):
    """Celery replaces the root handler that settings.LOGGING gave the redacting filter (and gives the
    task logger handlers of its own): put RedactSecretsFilter on every handler it installed, in
    workers and beat alike, so a token or OAuth code logged in a task is never printed in clear."""
    from config.logging import RedactSecretsFilter

    for handler in logger.handlers:
        if not any(isinstance(f, RedactSecretsFilter) for f in handler.filters):
            handler.addFilter(RedactSecretsFilter())
