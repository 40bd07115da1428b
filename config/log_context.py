"""What a log line is about: the request, workspace, post, target, attempt and worker, carried in
context variables so every line logged inside (by us or a library) names them.

    with log_context.bound(target_id=7, post_id=3):
        logger.info("published")        # {"message": "published", "target_id": 7, "post_id": 3, ...}

The engine's publishing threads, the API's requests and the Celery worker bind what they know;
`ContextFilter` copies the fields onto every record, and `JsonFormatter` (LOG_FORMAT=json) writes
one JSON object a line, its message and exception text passed through the same redaction as plain
lines (config/logging.py)."""

import contextvars
import json
import logging
from contextlib import contextmanager
from datetime import datetime, timezone

FIELDS = ("request_id", "workspace_id", "post_id", "target_id", "attempt_id", "worker")
_context: contextvars.ContextVar[dict] = contextvars.ContextVar("log_context", default={})
_process = {}  # fields of the whole process (the worker's name), seen by every thread


def set_process_fields(**fields) -> None:
    _process.update(fields)


def current() -> dict:
    return _context.get()


def bind(**fields) -> contextvars.Token:
    """Add fields to the context until reset (see `bound`)."""
    return _context.set({**_context.get(), **{k: v for k, v in fields.items() if v is not None}})


def begin(**fields) -> None:
    """Start a fresh context (a new request on this thread): nothing of the previous one carries over.
    Left in place after the response, so the handler's own "Not Found: ..." line still names it."""
    _context.set({k: v for k, v in fields.items() if v is not None})


def reset(token) -> None:
    _context.reset(token)


@contextmanager
def bound(**fields):
    token = bind(**fields)
    try:
        yield
    finally:
        reset(token)


class ContextFilter(logging.Filter):
    def filter(self, record):
        for name, value in {**_process, **_context.get()}.items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        from config.logging import redact

        line = {
            "time": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)
