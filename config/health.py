"""GET /health/: checks the database, the cache and the Celery broker; 503 when one is down."""

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse


def _check_db():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache():
    cache.set("health:ping", "pong", 5)
    if cache.get("health:ping") != "pong":
        raise RuntimeError("cache did not return the value it was given")


def _check_broker():
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS = {"database": _check_db, "cache": _check_cache, "broker": _check_broker}


def health(request):
    results, healthy = {}, True
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # any failure of a dependency is a 503, with its reason
            healthy = False
            results[name] = f"error: {exc.__class__.__name__}"
    return JsonResponse({"status": "ok" if healthy else "unavailable", "checks": results}, status=200 if healthy else 503)
