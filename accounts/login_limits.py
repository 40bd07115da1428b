"""Password guessing limits, shared by the API login (/api/v1/auth/login/), the web app's /login/ and
the admin login, built so that guessing is slow and a stranger cannot lock the owner out.

Per client IP: every login attempt counts against the anonymous per-IP budget of the API
(accounts/throttling.py, 30 a minute, shared by register, login, refresh and /admin/login/).

Wrong passwords for one account are counted in three budgets (fixed windows of WINDOW_SECONDS):
- per source and account: IP_ACCOUNT_FAILURES from one address (or, for a known device, from that
  device) refuse further tries *from that source* for the rest of the window;
- per account, over all unknown sources: ACCOUNT_FAILURES (far higher) stop distributed guessing from
  many addresses, for the rest of the window, for every source that is not known to the account;
- known sources are exempt from the per-account budget: a browser that signed in to the account
  before (a signed `known_device` cookie naming the accounts it signed in to, set on success by
  KnownDeviceCookieMiddleware) and an address the account signed in from before (API clients carry no
  cookie). Each keeps its own per-source budget, so the owner still signs in while a stranger who
  guessed from elsewhere is refused.
A successful login clears its source's count (never the per-account one: that would let a guesser
who also holds an account reset it). The IP is the connecting address unless NUM_PROXIES says how
many trusted proxies append to X-Forwarded-For (see `client_ip`). Counters live in the cache.
"""

import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

IP_ACCOUNT_FAILURES = 10
ACCOUNT_FAILURES = 200
WINDOW_SECONDS = 15 * 60
KNOWN_IP_SECONDS = 90 * 24 * 3600
DEVICE_COOKIE = "known_device"
DEVICE_COOKIE_SECONDS = 365 * 24 * 3600
DEVICE_SALT = "accounts.login_limits.known_device"
MAX_ACCOUNTS_PER_DEVICE = 20


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


def _digest(*parts):
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _account(username):
    return (username or "").strip().lower()


def _device(request):
    """The known-device cookie's {"d": device id, "a": [account digests]}, or None (absent, forged, expired)."""
    raw = request.COOKIES.get(DEVICE_COOKIE) if request is not None else None
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=DEVICE_SALT, max_age=DEVICE_COOKIE_SECONDS)
    except signing.BadSignature:
        return None
    return value if isinstance(value, dict) and isinstance(value.get("a"), list) else None


def _source(request, username):
    """(counter key of this source for this account, whether the source is known to the account)."""
    account = _account(username)
    device = _device(request)
    if device and _digest(account) in device["a"]:
        return "loginfail:dev:" + _digest(str(device.get("d")), account), True
    ip = client_ip(request) if request is not None else ""
    known = bool(ip) and cache.get("loginknown:" + _digest(ip, account)) is not None
    return "loginfail:ip:" + _digest(ip, account), known


def _account_key(username):
    return "loginfail:acct:" + _digest(_account(username))


def _over(key, limit):
    if (cache.get(key) or 0) < limit:
        return None
    ttl = getattr(cache, "ttl", lambda key: None)(key)
    return int(ttl) if ttl else WINDOW_SECONDS


def _count(key):
    if not cache.add(key, 1, timeout=WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=WINDOW_SECONDS)


def account_check(request, username):
    """Raise LoginThrottled when this source may not try this account's password now."""
    key, known = _source(request, username)
    wait = _over(key, IP_ACCOUNT_FAILURES)
    if wait is not None:
        raise LoginThrottled(wait, f"Too many wrong passwords for this account from here; try again in {max(1, wait // 60)} minute(s).")
    if not known:
        wait = _over(_account_key(username), ACCOUNT_FAILURES)
        if wait is not None:
            raise LoginThrottled(wait, (
                f"Too many wrong passwords for this account; try again in {max(1, wait // 60)} minute(s), "
                "or sign in from a device or network you signed in from before."
            ))


def account_failed(request, username):
    key, known = _source(request, username)
    _count(key)
    if not known:
        _count(_account_key(username))


def account_succeeded(request, username):
    """Clear this source's count and remember the address as known to the account. The web and admin
    logins also get a known-device cookie (KnownDeviceCookieMiddleware) naming this account."""
    key, _known = _source(request, username)
    cache.delete(key)
    if request is None:
        return
    account = _digest(_account(username))
    ip = client_ip(request)
    if ip:
        cache.set("loginknown:" + _digest(ip, _account(username)), 1, timeout=KNOWN_IP_SECONDS)
    device = _device(request) or {"d": secrets.token_hex(16), "a": []}
    accounts = [a for a in device["a"] if a != account][-(MAX_ACCOUNTS_PER_DEVICE - 1):] + [account]
    request._known_device_cookie = signing.dumps({"d": device["d"], "a": accounts}, salt=DEVICE_SALT)


def ip_check(request):
    """Count one anonymous attempt from this client; raise LoginThrottled past the per-IP budget."""
    from .throttling import ANON_LIMIT_PER_MINUTE, anon_hit

    wait = anon_hit(client_ip(request))
    if wait is not None:
        raise LoginThrottled(wait, f"Too many attempts from your address ({ANON_LIMIT_PER_MINUTE} a minute); try again in {wait} s.")


class KnownDeviceCookieMiddleware:
    """Sets the known-device cookie a successful form login asked for (account_succeeded)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        value = getattr(request, "_known_device_cookie", None)
        if value:
            response.set_cookie(
                DEVICE_COOKIE, value, max_age=DEVICE_COOKIE_SECONDS, httponly=True, samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
