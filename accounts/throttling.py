"""Per-workspace plan limits, counted in the cache (Redis in production) with fixed windows.

API calls: basic 100/hour, pro 500/hour, enterprise 2000/hour (settings.PLAN_LIMITS), counted against
the workspace the request acts in (X-Workspace, else the personal workspace; accounts/context.py).
Scheduled posts per day: counted by `consume_scheduled_post` from the scheduling service.
Anonymous requests (register, login, refresh, logout) are limited per client IP."""

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from .context import default_membership, has_workspace_header, request_workspace

ANON_LIMIT_PER_MINUTE = 30
HOUR = 3600


def _hit(key, limit, window_seconds):
    """Count one hit in the current window; returns seconds to wait when over the limit, else None."""
    now = time.time()
    window_start = int(now // window_seconds) * window_seconds
    bucket = f"throttle:{key}:{window_start}"
    cache.add(bucket, 0, timeout=window_seconds + 5)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=window_seconds + 5)
        count = 1
    if count > limit:
        return max(1, int(window_start + window_seconds - now) + 1)
    return None


def consume_scheduled_post(workspace):
    """Count one post scheduled today (UTC); raises Throttled past the plan's daily limit."""
    if not settings.THROTTLING_ENABLED:
        return
    wait = _hit(f"sched:{workspace.pk}", workspace.limits["scheduled_posts_per_day"], 86400)
    if wait is not None:
        raise Throttled(wait=wait, detail=f"Your {workspace.plan} plan allows {workspace.limits['scheduled_posts_per_day']} scheduled posts per day.")


class WorkspacePlanThrottle(BaseThrottle):
    wait_seconds = None

    def allow_request(self, request, view):
        if not settings.THROTTLING_ENABLED:
            return True
        if request.user and request.user.is_authenticated:
            key, limit = self._workspace_bucket(request)
            self.wait_seconds = _hit(key, limit, HOUR)
        else:
            self.wait_seconds = _hit(f"anon:{self.get_ident(request)}", ANON_LIMIT_PER_MINUTE, 60)
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
            return f"api:user:{request.user.pk}", settings.PLAN_LIMITS["basic"]["api_calls_per_hour"]
        return f"api:{workspace.pk}", workspace.limits["api_calls_per_hour"]

    def get_ident(self, request):
        """The client IP. X-Forwarded-For is trusted only when REST_FRAMEWORK["NUM_PROXIES"] says how
        many proxies append to it; otherwise any client could dodge the limit by sending a new one."""
        if api_settings.NUM_PROXIES:
            return super().get_ident(request)
        return request.META.get("REMOTE_ADDR", "")

    def wait(self):
        return self.wait_seconds


def quota_usage(workspace):
    """What the plan allows and what is used in the current windows (for the team page)."""
    now = time.time()
    limits = workspace.limits

    def used(key, window):
        return int(cache.get(f"throttle:{key}:{int(now // window) * window}") or 0)

    return {
        "scheduled_posts_today": used(f"sched:{workspace.pk}", 86400),
        "scheduled_posts_per_day": limits["scheduled_posts_per_day"],
        "api_calls_this_hour": used(f"api:{workspace.pk}", HOUR),
        "api_calls_per_hour": limits["api_calls_per_hour"],
    }
