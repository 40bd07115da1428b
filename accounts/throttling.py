"""Plan limits, counted in the cache (Redis in production) with fixed windows, per owner and plan.

Plans are for operators who sell the service: with none configured nothing is capped and nothing is
counted. An operator caps a plan with PLAN_<PLAN>_API_CALLS_PER_HOUR and
PLAN_<PLAN>_SCHEDULED_POSTS_PER_DAY (settings.PLAN_LIMITS, config/plans.py); a refusal names the
setting that lifts the cap.
API calls: for requests acting in a workspace (X-Workspace, else the personal workspace; accounts/context.py).
Scheduled posts per day: counted by `consume_scheduled_post` from the scheduling service.
Both are counted against the workspace's owner and plan (`quota_key`), not the workspace itself:
anyone may create workspaces, and each one with a fresh budget would multiply the plan. So all the
basic workspaces a user owns share one basic budget (calls by any member count against the owner);
a workspace staff moved to another plan counts against the owner's budget of that plan.
Anonymous requests (register, login, refresh, logout) are limited per client IP, 30 in any 60 s
(a sliding log, so no burst can straddle a window boundary)."""

import math
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle

from config.cache_client import raw_redis
from config.plans import setting_name

from .context import default_membership, has_workspace_header, request_workspace
from .login_limits import client_ip
from .models import Membership

ANON_LIMIT_PER_MINUTE = 30
HOUR = 3600


# One counter per window: created with its expiry by the first hit, so a worker dying between the
# two commands cannot leave a counter that never expires.
_FIXED_WINDOW = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""
_scripts = {}  # Lua source -> its registered Script (EVALSHA, loaded on first use)


def _script(redis, source):
    if source not in _scripts:
        _scripts[source] = redis.register_script(source)
    return _scripts[source]


def _hit(key, limit, window_seconds):
    """Count one hit in the current fixed window (the plan quotas: N per clock hour or UTC day);
    returns seconds to wait when over the limit, else None. One round trip to Redis (one script)."""
    now = time.time()
    window_start = int(now // window_seconds) * window_seconds
    bucket = f"throttle:{key}:{window_start}"
    redis = raw_redis()
    if redis is not None:
        count = _script(redis, _FIXED_WINDOW)(keys=[cache.make_key(bucket)], args=[window_seconds + 5], client=redis)
    else:
        cache.add(bucket, 0, timeout=window_seconds + 5)
        try:
            count = cache.incr(bucket)
        except ValueError:  # expired between add and incr
            cache.set(bucket, 1, timeout=window_seconds + 5)
            count = 1
    if count > limit:
        return max(1, int(window_start + window_seconds - now) + 1)
    return None


# A sliding log: at most `limit` accepted hits in any `window` seconds. Refused hits are not logged,
# so the set never holds more than `limit` entries, whatever a client sends.
_SLIDING_LOG = """
local key, now, window, limit, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
  return false
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""


def _sliding_hit(key, limit, window_seconds):
    """Count one hit unless `limit` hits were accepted in the last `window_seconds`; then the seconds
    until the oldest of them leaves the window. Unlike a fixed window, a burst cannot be doubled by
    straddling a boundary (30 at 10:00:59 and 30 more at 10:01:00)."""
    now = time.time()
    bucket = f"sliding:{key}"
    redis = raw_redis()
    if redis is not None:
        member = f"{now!r}:{uuid.uuid4().hex[:8]}"
        wait = _script(redis, _SLIDING_LOG)(keys=[cache.make_key(bucket)], args=[repr(now), window_seconds, limit, member], client=redis)
        return None if wait is None else max(1, math.ceil(float(wait)))
    hits = [t for t in cache.get(bucket, []) if t > now - window_seconds]  # development cache: not atomic
    if len(hits) >= limit:
        return max(1, math.ceil(hits[0] + window_seconds - now))
    cache.set(bucket, hits + [now], timeout=window_seconds)
    return None


def anon_hit(ip):
    """Count one anonymous request (register, login, refresh, admin login) from `ip`; seconds to wait
    when over the limit of ANON_LIMIT_PER_MINUTE in any 60 seconds, else None."""
    return _sliding_hit(f"anon:{ip}", ANON_LIMIT_PER_MINUTE, 60)


def quota_owner_id(workspace):
    """The user whose plan budget a workspace spends: the personal workspace's owner, else its first
    owner (the one who created it, unless ownership was handed on). None for an ownerless workspace."""
    if workspace.personal_owner_id:
        return workspace.personal_owner_id
    if hasattr(workspace, "_quota_owner_id"):  # read with the request's membership (accounts/authentication.py)
        return workspace._quota_owner_id
    owners = Membership.objects.filter(workspace_id=workspace.pk, role=Membership.Role.OWNER).order_by("id")
    return owners.values_list("user_id", flat=True).first()


def quota_key(workspace):
    """The counter a workspace's plan limits are kept in: one per owner and plan."""
    owner_id = quota_owner_id(workspace)
    if owner_id is None:  # made in the admin without members: counted on its own
        return f"workspace:{workspace.pk}"
    return f"owner:{owner_id}:{workspace.plan}"


class PlanLimitReached(Throttled):
    """A plan's cap bit: 429 with Retry-After, and a message that says what lifts it (DRF's Throttled
    would append "Expected available in 26550 seconds")."""

    def __init__(self, *, wait, detail):
        super().__init__(detail=detail)
        self.wait = wait


def _cap_message(workspace, cap, allowance, when):
    plan = workspace.get_plan_display()
    return (
        f"The {plan} plan of this workspace allows {allowance}; {when}. "
        f"The server's operator can raise or remove this cap with {setting_name(workspace.plan, cap)}."
    )


def consume_scheduled_post(workspace):
    """Count one post scheduled today (UTC) against the workspace owner's plan; raises
    PlanLimitReached past the plan's daily cap. Uncapped plans count nothing."""
    limit = workspace.limits["scheduled_posts_per_day"]
    if not settings.THROTTLING_ENABLED or not limit:
        return
    wait = _hit(f"sched:{quota_key(workspace)}", limit, 86400)
    if wait is not None:
        raise PlanLimitReached(wait=wait, detail=_cap_message(
            workspace, "scheduled_posts_per_day", f"{limit} posts to be scheduled per day (UTC)",
            "more can be scheduled from 00:00 UTC, whenever they are due",
        ))


class WorkspacePlanThrottle(BaseThrottle):
    wait_seconds = None

    def allow_request(self, request, view):
        if not settings.THROTTLING_ENABLED:
            return True
        if request.user and request.user.is_authenticated:
            key, limit, workspace = self._workspace_bucket(request)
            if not limit:  # an uncapped plan: nothing to count
                return True
            self.wait_seconds = _hit(key, limit, HOUR)
            if self.wait_seconds is not None and workspace is not None:
                raise PlanLimitReached(wait=self.wait_seconds, detail=_cap_message(
                    workspace, "api_calls_per_hour", f"{limit} API calls per hour", f"try again in {_minutes(self.wait_seconds)}",
                ))
        else:
            self.wait_seconds = anon_hit(self.get_ident(request))
        return self.wait_seconds is None

    def _workspace_bucket(self, request):
        if has_workspace_header(request) or getattr(request, "_workspace_membership", None):
            workspace = request_workspace(request)  # 400 for a malformed id, 404 for a non-member
        else:
            membership = default_membership(request.user)
            if membership is not None:
                request._workspace_membership = membership
            workspace = membership.workspace if membership else None
        if workspace is None:  # a user in no workspace at all: counted alone, at the basic limit
            return f"api:user:{request.user.pk}", settings.PLAN_LIMITS["basic"]["api_calls_per_hour"], None
        return f"api:{quota_key(workspace)}", workspace.limits["api_calls_per_hour"], workspace

    def get_ident(self, request):
        """The client IP. X-Forwarded-For is trusted only when REST_FRAMEWORK["NUM_PROXIES"] says how
        many proxies append to it; otherwise any client could dodge the limit by sending a new one."""
        return client_ip(request)

    def wait(self):
        return self.wait_seconds


def _minutes(seconds):
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def quota_usage(workspace):
    """What the plan allows and what is used in the current windows (for the team page): the same
    counters the limits are enforced on, those of the workspace owner's plan budget."""
    now = time.time()
    limits, key = workspace.limits, quota_key(workspace)

    def used(counter, window):
        return int(cache.get(f"throttle:{counter}:{int(now // window) * window}") or 0)

    return {
        "scheduled_posts_today": used(f"sched:{key}", 86400),
        "scheduled_posts_per_day": limits["scheduled_posts_per_day"],
        "api_calls_this_hour": used(f"api:{key}", HOUR),
        "api_calls_per_hour": limits["api_calls_per_hour"],
    }
