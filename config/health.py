"""GET /health/: checks the database, the cache and the Celery broker; 503 naming the failed checks.
`encryption` says whether stored secrets are readable with ENCRYPTION_KEYS (a warning, not a failure).

Answers without authentication or throttling (load balancers and container healthchecks call it) and
names only the exception class of a failure, never its message: messages can carry URLs with passwords.

`python -m config.health` is the container healthcheck: it calls /health/ on this host with a Host
header from ALLOWED_HOSTS and exits 0 when it answered 200, else 1.
"""

import hmac
import os
import sys
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

BROKER_TIMEOUT_SECONDS = 2


def _check_db():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache():
    cache.set("health:ping", "pong", 5)
    if cache.get("health:ping") != "pong":
        raise RuntimeError("cache did not return the value it was given")


def _check_broker():
    from config.celery import app

    # The URL is read from settings at call time (not the app's conf captured at start-up) so this
    # checks what the deployment is configured with; transport options still come from the app.
    with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)


CHECKS = {"database": _check_db, "cache": _check_cache, "broker": _check_broker}
ENCRYPTION_CACHE_SECONDS = 60


def encryption_status():
    """"ok", or a warning naming the problem (never a key, a value or a count): tokens that no key
    decrypts, tokens that need rotate_encryption_keys, ENCRYPTION_KEYS unset. Not a failure (the server
    still serves), so it does not turn /health/ into a 503. Sampled, and cached for a minute."""
    from config.encryption import key_health

    try:
        cached = cache.get("health:encryption")
    except Exception:  # noqa: BLE001 - the cache check reports a broken cache
        cached = None
    if cached:
        return cached
    try:
        health = key_health()
    except Exception as exc:  # the database check reports an unreachable database
        return f"unknown: {exc.__class__.__name__}"
    if health["undecryptable"]:
        status = "warning: stored secrets cannot be decrypted with ENCRYPTION_KEYS"
    elif health["needs_rotation"]:
        status = "warning: stored secrets need rotate_encryption_keys"
    elif not health["keys_configured"]:
        status = "warning: ENCRYPTION_KEYS is not set"
    else:
        status = "ok"
    try:
        cache.set("health:encryption", status, ENCRYPTION_CACHE_SECONDS)
    except Exception:  # noqa: BLE001 - the cache check reports a broken cache
        pass
    return status


def run_checks():
    """{check name: "ok" | "error: <ExceptionClass>"}, with how long each took in milliseconds."""
    results, timings = {}, {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # any failure of a dependency is a 503 naming it
            results[name] = f"error: {exc.__class__.__name__}"
        timings[name] = round((time.monotonic() - started) * 1000, 1)
    return results, timings


def may_see_detail(request):
    """A signed-in staff member, or the HEALTH_DETAIL_TOKEN in X-Health-Token (compared in constant time)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return True
    token = settings.HEALTH_DETAIL_TOKEN
    sent = request.headers.get("X-Health-Token", "")
    return bool(token) and hmac.compare_digest(sent.encode(), token.encode())


@never_cache
@require_safe
def health(request):
    results, timings = run_checks()
    failed = [name for name, outcome in results.items() if outcome != "ok"]
    body = {"status": "unavailable" if failed else "ok"}
    if may_see_detail(request):
        body.update(checks=results, failed=failed, ms=timings)
        if "database" not in failed:
            body["encryption"] = encryption_status()
    return JsonResponse(body, status=503 if failed else 200)


def probe_host():
    """A Host header the site accepts: the first ALLOWED_HOSTS entry (wildcards made concrete)."""
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = hosts[0] if hosts else "localhost"
    return "localhost" if host == "*" else host.lstrip(".")


def probe(url, *, host=None, timeout=5.0):
    """True when GET `url` answers 200. Sends X-Forwarded-Proto: https, as the TLS proxy in front would."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"Host": host or probe_host(), "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


if __name__ == "__main__":
    port = os.environ.get("PORT", "8000")
    sys.exit(0 if probe(f"http://127.0.0.1:{port}/health/") else 1)
