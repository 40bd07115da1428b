"""Celery queue names: the one place they are spelled."""

from enum import StrEnum


class CeleryQueue(StrEnum):
    POSTING = "posting"
    ANALYTICS = "analytics"
    MEDIA = "media"
    DEFAULT = "default"
