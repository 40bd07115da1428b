"""Test runs use config.settings unchanged; this shim only supplies the environment a real deployment
would (secrets, flags) before importing it."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOW_INSECURE_NETWORK_URLS", "1")
os.environ.setdefault("ENCRYPTION_KEYS", "Q2hhbmdlTWVDaGFuZ2VNZUNoYW5nZU1lQ2hhbmdlTWU=")
os.environ.setdefault("VAR_DIR", "/tmp/scheduler-test-var")

from config.settings import *  # noqa: E402,F401,F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when it is missing
# Real-strength hashing costs ~0.3 s per user; tests create hundreds.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
