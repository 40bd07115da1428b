"""Password guessing limits, shared by the API login (/api/v1/auth/login/) and the admin login.

Per client IP: every login attempt counts against the anonymous per-IP budget of the API
(accounts/throttling.py, 30 a minute, shared by register, login, refresh and /admin/login/).
Per account: ACCOUNT_FAILURES wrong passwords for one username lock it for the rest of
ACCOUNT_WINDOW_SECONDS, from whatever address they came; a successful login clears the count.
The IP is the connecting address unless NUM_PROXIES says how many trusted proxies append to
X-Forwarded-For (see `client_ip`). Counters live in the cache (Redis in production).
"""

import hashlib

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

ACCOUNT_FAILURES = 10
ACCOUNT_WINDOW_SECONDS = 15 * 60


class LoginThrottled(Exception):
    def __init__(self, wait, message):
        super().__init__(message)
        self.wait = wait
        self.message = message


def client_ip(request):
    """The client's address. X-Forwarded-For is read only when NUM_PROXIES is set, and then only
    the entry the last trusted proxy appended: a client cannot forge its way to a fresh counter."""
    if api_settings.NUM_PROXIES:
        return BaseThrottle().get_ident(request)
    return request.META.get("REMOTE_ADDR", "")


def _account_key(username):
    return "loginfail:" + hashlib.sha256((username or "").strip().lower().encode()).hexdigest()


def account_check(username):
    """Raise LoginThrottled when this username is locked by too many wrong passwords."""
    if (cache.get(_account_key(username)) or 0) >= ACCOUNT_FAILURES:
        ttl = getattr(cache, "ttl", lambda key: None)(_account_key(username))
        wait = int(ttl) if ttl else ACCOUNT_WINDOW_SECONDS
        raise LoginThrottled(wait, f"Too many wrong passwords for this account; try again in {max(1, wait // 60)} minute(s).")


def account_failed(username):
    key = _account_key(username)
    if not cache.add(key, 1, timeout=ACCOUNT_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=ACCOUNT_WINDOW_SECONDS)


def account_succeeded(username):
    cache.delete(_account_key(username))


def ip_check(request):
    """Count one anonymous attempt from this client; raise LoginThrottled past the per-IP budget."""
    from .throttling import ANON_LIMIT_PER_MINUTE, anon_hit

    wait = anon_hit(client_ip(request))
    if wait is not None:
        raise LoginThrottled(wait, f"Too many attempts from your address ({ANON_LIMIT_PER_MINUTE} a minute); try again in {wait} s.")
