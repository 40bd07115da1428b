"""Warm a worker process before its first post, so the first post is as punctual as the rest.

Adapters are imported on first use (the registry is lazy, so the web process never pays for client
libraries it does not need). In a posting worker that first use would be the first post's network
call: importing atproto alone takes about a second. When a worker starts, `warm_imports` imports every
registered adapter (iterating the registry, whatever networks it holds) and runs each adapter's `warm`
hook; `warm_connections` then opens what each process would otherwise open at its first post: the
database connection, the Redis connection with the rate limiter's script, and the publish thread pool
with its threads' database connections. Warming never stops a worker: a failure is logged and the
first post simply pays the cost.
"""

import logging
import time

from django.conf import settings
from django.db import connection

from social_media.platforms import PLATFORMS, PlatformFactory

from . import ratelimit
from .publishing import executor

logger = logging.getLogger(__name__)

# Publish threads whose database connections are opened at start (more open on demand).
WARM_PUBLISH_THREADS = 4


def warm_imports():
    """Import every registered adapter and run its `warm` hook. Returns {platform: seconds}."""
    if not settings.WORKER_WARMUP:
        return {}
    took = {}
    for platform in PLATFORMS:
        started = time.perf_counter()
        try:
            PlatformFactory.adapter_class(platform).warm()
        except Exception:  # noqa: BLE001 - a broken adapter must not stop the worker; its posts will say why
            logger.warning("could not warm the %s adapter", platform, exc_info=True)
        took[platform] = round(time.perf_counter() - started, 3)
    logger.info("adapters warmed: %s", ", ".join(f"{platform} {seconds:.3f}s" for platform, seconds in took.items()))
    return took


def _open_database_connection():
    connection.ensure_connection()


def warm_connections():
    """Open this process's database and Redis connections and start the publish thread pool with a
    few threads already connected."""
    if not settings.WORKER_WARMUP:
        return False
    try:
        connection.ensure_connection()
        ratelimit.warm()
        pool = executor()
        threads = min(WARM_PUBLISH_THREADS, settings.PUBLISH_THREADS)
        for future in [pool.submit(_open_database_connection) for _ in range(threads)]:
            future.result(timeout=30)
    except Exception:  # noqa: BLE001 - the first post will open them itself
        logger.warning("could not open connections at worker start", exc_info=True)
        return False
    logger.info("connections opened: database, redis, %d publish threads", threads)
    return True
