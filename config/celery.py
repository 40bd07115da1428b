"""Celery application: queues, routes, reliability settings. Beat entries are seeded into
django-celery-beat (admin-editable) by the `social_media` app; see `CELERY_BEAT_SCHEDULE` in settings."""

import os
import socket

from celery import Celery
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
    from django.conf import settings

    from config.log_context import ContextFilter, JsonFormatter
    from config.logging import RedactSecretsFilter

    for handler in logger.handlers:
        if not any(isinstance(f, RedactSecretsFilter) for f in handler.filters):
            handler.addFilter(RedactSecretsFilter())
        if not any(isinstance(f, ContextFilter) for f in handler.filters):
            handler.addFilter(ContextFilter())
        if settings.LOG_FORMAT == "json":
            handler.setFormatter(JsonFormatter())


@after_setup_logger.connect
def routine_tasks_at_debug(**kwargs):
    """The dispatcher's every-2-seconds lines (sent, received, succeeded) are DEBUG, not INFO."""
    from config.logging import routine_tasks_at_debug, touch_on_worker_ready

    routine_tasks_at_debug()
    if os.environ.get(WORKER_READY_FILE_ENV):
        touch_on_worker_ready(os.environ[WORKER_READY_FILE_ENV])


# Not configuration: `manage.py runall` sets it for its worker, so it ends start-up once the worker is ready.
WORKER_READY_FILE_ENV = "RUNALL_WORKER_READY_FILE"


@worker_ready.connect
def name_the_worker_in_logs(sender=None, **kwargs):
    """Every line of this worker names it (LOG_FORMAT=json: the `worker` field)."""
    from config.log_context import set_process_fields

    set_process_fields(worker=getattr(sender, "hostname", None) or f"{socket.gethostname()}:{os.getpid()}")


@worker_ready.connect
def serve_worker_metrics(**kwargs):
    """A worker host of its own serves its processes' metrics on WORKER_METRICS_PORT (docs/operations.md)."""
    from django.conf import settings

    if settings.WORKER_METRICS_PORT:
        from prometheus_client import start_http_server

        from config.metrics import registry

        start_http_server(settings.WORKER_METRICS_PORT, addr=os.environ.get("WORKER_METRICS_ADDR", "127.0.0.1"), registry=registry())
