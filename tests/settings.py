"""Test runs use config.settings unchanged; this shim only supplies the environment a real deployment
would (secrets, flags) before importing it."""

import os
import re

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOW_INSECURE_NETWORK_URLS", "1")
# The test servers of user-chosen hosts (Mastodon fakes, the Bluesky PDS) listen on 127.0.0.1; every other
# non-public address stays refused (tests/platforms/test_ssrf*.py narrow it to exact ports).
os.environ.setdefault("OUTBOUND_ALLOWED_PRIVATE_ADDRESSES", "127.0.0.1")
os.environ.setdefault("ENCRYPTION_KEYS", "Q2hhbmdlTWVDaGFuZ2VNZUNoYW5nZU1lQ2hhbmdlTWU=")
os.environ.setdefault("VAR_DIR", "/tmp/scheduler-test-var")

# pytest-xdist: each worker process gets its own Redis database (cache, broker, rate buckets), so one
# worker's cache.clear() never resets another's counters. Celery processes a test starts inherit the
# rewritten URLs (tests/engine/processes.py passes settings.REDIS_URL on).
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _xdist_worker.startswith("gw"):
    for _name in ("REDIS_URL", "CELERY_BROKER_URL"):
        if os.environ.get(_name, "").startswith("redis://"):
            os.environ[_name] = re.sub(r"/\d*$", f"/{int(_xdist_worker[2:]) + 1}", os.environ[_name])
    # ...and its own media/broker folders, so tests that look at MEDIA_ROOT see only their own files.
    if not os.environ["VAR_DIR"].endswith(f"/{_xdist_worker}"):
        os.environ["VAR_DIR"] = f"{os.environ['VAR_DIR']}/{_xdist_worker}"

from config.settings import *  # noqa: E402,F401,F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when it is missing
# Real-strength hashing costs ~0.3 s per user; tests create hundreds.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
