"""Warm a worker process before its first post, so the first post is as punctual as the rest.

Adapters are imported on first use (the registry is lazy, so the web process never pays for client
libraries it does not need). In a posting worker that first use would be the first post's network
call: importing atproto alone takes about a second. When a worker starts, `warm_imports` imports every
registered adapter (iterating the registry, whatever networks it holds) and runs each adapter's `warm`
hook; `warm_connections` then opens what each process would otherwise open at its first post: the
database connection, the Redis connection with the rate limiter's script, and the publish thread pool
with its threads' database connections; and it freezes the start-up heap, so the garbage collector's
full passes stop walking it (a pause of every publish thread otherwise). Warming never stops a worker:
a failure is logged and the first post simply pays the cost.
"""

import gc
import logging
import threading
import time

from django.conf import settings
from django.db import connection

from social_media.platforms import PLATFORMS, PlatformFactory

from . import ratelimit
from .links import post_link
from .publishing import executor

logger = logging.getLogger(__name__)



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
    started = time.perf_counter()
    warm_engine()
    logger.info("engine warmed: %.3fs", time.perf_counter() - started)
    return took


def warm_engine():
    """Build now what the publishing path builds at its first use. Django's URLValidator (post_link
    checks every link a network returns) compiles its Unicode host pattern lazily: about a second of
    CPU, and at the first busy second every publish thread that reached it compiled its own copy,
    holding the GIL while due posts waited (found with py-spy at 10,000 posts a minute)."""
    post_link("https://warm-up.invalid/")


def _open_database_connection(barrier):
    barrier.wait(timeout=30)  # every thread holds one job until all have started: n jobs, n threads
    connection.ensure_connection()
    return threading.get_ident()


def warm_connections():
    """Open this process's database and Redis connections and start PUBLISH_WARM_THREADS threads of the
    publish thread pool, each with its database connection open (a busy first second otherwise starts
    threads and connects them to the database while its posts wait)."""
    if not settings.WORKER_WARMUP:
        return False
    try:
        connection.ensure_connection()
        ratelimit.warm()
        pool = executor()
        threads = min(settings.PUBLISH_WARM_THREADS, settings.PUBLISH_THREADS)
        barrier = threading.Barrier(threads) if threads else None
        threads = len({future.result(timeout=30) for future in [pool.submit(_open_database_connection, barrier) for _ in range(threads)]})
    except Exception:  # noqa: BLE001 - the first post will open them itself
        logger.warning("could not open connections at worker start", exc_info=True)
        return False
    logger.info("connections opened: database, redis, %d publish threads", threads)
    logger.info("start-up heap frozen: %d objects the collector no longer walks", freeze_heap())
    return True


def freeze_heap():
    """Move what start-up made (modules, every adapter's client library, Django's and Celery's objects:
    about 200,000) to the collector's permanent generation. A full collection otherwise walks all of it
    while holding the GIL, 0.1 to 0.2 s with every publish thread of the process waiting, once per ~2,000
    posts a worker publishes (measured). Returns the number of objects frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
