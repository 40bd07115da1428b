"""Logging filter that keeps bearer tokens, passwords and secrets out of every log line."""

import logging
import re
from pathlib import Path

_PATTERNS = [
    # OAuth callbacks carry the authorization code (and state) in the query string.
    (re.compile(r"(?i)([?&](?:code|state|oauth_verifier|token)=)[^&\s\"']+"), r"\1[redacted]"),
    # A pending connection's one-time completion token (social_media/services/pending.py).
    (re.compile(r"(/accounts/connect/pending/)[^/\s?\"']+"), r"\1[redacted]"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9\-._~+/]+=*"), r"\1[redacted]"),
    (re.compile(r"(?i)((?:access|refresh)_?token|fb_exchange_token|app_password|password|client_secret|code_verifier)(['\"]?\s*[:=]\s*['\"]?)[^'\"&\s,}]+"), r"\1\2[redacted]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is not ours to fix here
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


# Periodic jobs that run every few seconds: Celery's own INFO lines about them (beat sends, the worker
# receives and finishes, every DISPATCH_INTERVAL_SECONDS) would bury every other line.
ROUTINE_TASKS = ("social_media.tasks.dispatch_due_task", "social_media.tasks.sweep_task")
ROUTINE_TASK_LOGGERS = ("celery.beat", "celery.worker.strategy", "celery.worker.request", "celery.app.trace")


class RoutineTasksAtDebug(logging.Filter):
    """Logs the routine dispatch and sweep lines of ROUTINE_TASK_LOGGERS at DEBUG instead of INFO: they
    show only when the log level is DEBUG (`--loglevel DEBUG`, LOG_LEVEL=DEBUG)."""

    def filter(self, record):
        if record.levelno != logging.INFO:
            return True
        try:
            message = record.getMessage()
        except Exception:
            return True
        if not any(name in message for name in ROUTINE_TASKS):
            return True
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


def routine_tasks_at_debug():
    for name in ROUTINE_TASK_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RoutineTasksAtDebug) for f in logger.filters):
            logger.addFilter(RoutineTasksAtDebug())


class TouchOnWorkerReady(logging.Filter):
    """Touches a file when the worker logs "<name> ready.", which Celery does after every worker_ready
    receiver (warm-up included) has run: `manage.py runall` prints its start-up block after that line."""

    def __init__(self, path):
        super().__init__()
        self.path = path

    def filter(self, record):
        if record.msg == "%s ready.":
            Path(self.path).touch()
        return True


def touch_on_worker_ready(path):
    from celery.signals import worker_ready

    logger = logging.getLogger("celery.apps.worker")
    logger.addFilter(TouchOnWorkerReady(path))

    def without_a_ready_line(**kwargs):
        if not logger.isEnabledFor(logging.INFO):  # LOG_LEVEL above INFO: no line to wait for
            Path(path).touch()

    worker_ready.connect(without_a_ready_line, weak=False)
