"""Finished post bodies kept between requests, in the project's cache (Redis in production).

An entry is a body as the API writes it, the fingerprint of the rows it was built from
(post_bodies._FINGERPRINT) and the second its media URLs were signed. post_bodies reads the posts'
current fingerprints and rebuilds every body whose rows no longer match its entry, so an entry can be
out of date only in the cache, never in a response: a write anywhere (the API, the admin, the
publishing engine's bulk updates, raw SQL) changes the rows' fingerprint.

Signed media URLs age in the cache: an entry is used for POST_BODY_CACHE_SECONDS after signing
(default: a tenth of MEDIA_PUBLIC_URL_SECONDS, at most five minutes), so a URL in a response stays
valid for at least MEDIA_PUBLIC_URL_SECONDS minus that. 0 turns the cache off. The key names a digest
of the query and of the settings that shape a body's URLs (the signing key among them), so a deploy
that changes either starts afresh.

A cache that cannot be reached costs the cache, not the request: the bodies are built as if none were
held, and a warning is logged.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from config.cache_client import raw_redis

logger = logging.getLogger(__name__)

_UNREACHABLE = (ConnectionInterrupted, RedisError, OSError)
_FINGERPRINT_BYTES = 32  # md5 as hex
_SIGNED_AT_BYTES = 10  # seconds since the epoch, zero-padded
_prefix = None


def _seconds() -> int:
    return max(0, int(settings.POST_BODY_CACHE_SECONDS))


def _key_prefix() -> str:
    global _prefix
    if _prefix is None:
        from .post_bodies import POST_BODIES_SQL

        shape = "\0".join([
            POST_BODIES_SQL, settings.SECRET_KEY, settings.PUBLIC_BASE_URL, str(settings.MEDIA_PUBLIC_URL_SECONDS),
            str(getattr(settings, "AWS_STORAGE_BUCKET_NAME", "")), str(settings.STORAGES["default"]["BACKEND"]),
        ])
        _prefix = f"{cache.key_prefix}:postbody:{hashlib.sha256(shape.encode()).hexdigest()[:16]}:"
    return _prefix


def _forget_prefix(*, setting, **kwargs):
    global _prefix
    _prefix = None


setting_changed.connect(_forget_prefix)


def _read(keys) -> list:
    """Entries are bytes, so with Redis they are read as they are: MGET without Django's key building
    and unpickling costs a third of cache.get_many."""
    redis = raw_redis()
    if redis is None:
        found = cache.get_many(keys)
        return [found.get(key) for key in keys]
    return redis.mget(keys)


def _write(entries: dict, seconds: int) -> None:
    redis = raw_redis()
    if redis is None:
        cache.set_many(entries, timeout=seconds)
        return
    with redis.pipeline(transaction=False) as pipe:
        for key, entry in entries.items():
            pipe.set(key, entry, ex=seconds)
        pipe.execute()


def held(ids) -> dict[int, tuple[str, bytes]]:
    """{post id: (fingerprint, body)} of the entries held for `ids` and still young enough to serve."""
    seconds = _seconds()
    if not seconds:
        return {}
    prefix = _key_prefix()
    try:
        entries = _read([f"{prefix}{post_id}" for post_id in ids])
    except _UNREACHABLE as error:
        logger.warning("post body cache unreachable, building every body: %s", error.__class__.__name__)
        return {}
    now = time.time()
    head = _FINGERPRINT_BYTES + _SIGNED_AT_BYTES
    found = {}
    for post_id, entry in zip(ids, entries):
        if isinstance(entry, bytes) and len(entry) > head and 0 <= now - int(entry[_FINGERPRINT_BYTES:head]) < seconds:
            found[post_id] = (entry[:_FINGERPRINT_BYTES].decode(), entry[head:])
    return found


def keep(bodies: dict[int, tuple[str, bytes]]) -> None:
    """Hold these freshly built {post id: (fingerprint, body)} entries."""
    seconds = _seconds()
    if not bodies or not seconds:
        return
    prefix = _key_prefix()
    stamp = b"%010d" % int(time.time())
    entries = {f"{prefix}{post_id}": fingerprint.encode() + stamp + raw for post_id, (fingerprint, raw) in bodies.items()}
    try:
        _write(entries, seconds)
    except _UNREACHABLE as error:
        logger.warning("post body cache unreachable, not keeping bodies: %s", error.__class__.__name__)
