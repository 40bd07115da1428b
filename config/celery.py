"""Celery application: queues, routes, reliability settings. Beat entries are seeded into
django-celery-beat (admin-editable) by the `social_media` app; see `CELERY_BEAT_SCHEDULE` in settings."""

import os

from celery import Celery
from pathlib import Path

from celery.signals import after_setup_logger, after_setup_task_logger, worker_ready

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


@after_setup_logger.connect
def routine_tasks_at_debug(**kwargs):
    """The dispatcher's every-2-seconds lines (sent, received, succeeded) are DEBUG, not INFO."""
    from config.logging import routine_tasks_at_debug

    routine_tasks_at_debug()


# Not configuration: `manage.py runall` sets it for its worker, so it ends start-up once the worker is ready.
WORKER_READY_FILE_ENV = "RUNALL_WORKER_READY_FILE"


@worker_ready.connect
def tell_runall_ready(**kwargs):
    """Touch the file runall named, if any: the worker is ready."""
    marker = os.environ.get(WORKER_READY_FILE_ENV)
    if marker:
        Path(marker).touch()


@worker_ready.connect
def serve_worker_metrics(**kwargs):
    """A worker host of its own serves its processes' metrics on WORKER_METRICS_PORT (docs/operations.md)."""
    from django.conf import settings

    if settings.WORKER_METRICS_PORT:
        from prometheus_client import start_http_server

        from config.metrics import registry

        start_http_server(settings.WORKER_METRICS_PORT, addr=os.environ.get("WORKER_METRICS_ADDR", "127.0.0.1"), registry=registry())
