"""Plan limits, counted in the cache (Redis in production) with fixed windows, per owner and plan.

API calls: basic 100/hour, pro 500/hour, enterprise 2000/hour (settings.PLAN_LIMITS), for requests
acting in a workspace (X-Workspace, else the personal workspace; accounts/context.py).
Scheduled posts per day: counted by `consume_scheduled_post` from the scheduling service.
Both are counted against the workspace's owner and plan (`quota_key`), not the workspace itself:
anyone may create workspaces, and each one with a fresh budget would multiply the plan. So all the
basic workspaces a user owns share one basic budget (calls by any member count against the owner);
a workspace staff moved to another plan counts against the owner's budget of that plan.
Anonymous requests (register, login, refresh, logout) are limited per client IP."""

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle

from .context import default_membership, has_workspace_header, request_workspace
from .login_limits import client_ip
from .models import Membership

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


def anon_hit(ip):
    """Count one anonymous request (register, login, refresh, admin login) from `ip`; seconds to wait
    when over the per-minute limit, else None."""
    return _hit(f"anon:{ip}", ANON_LIMIT_PER_MINUTE, 60)


def quota_owner_id(workspace):
    """The user whose plan budget a workspace spends: the personal workspace's owner, else its first
    owner (the one who created it, unless ownership was handed on). None for an ownerless workspace."""
    if workspace.personal_owner_id:
        return workspace.personal_owner_id
    owners = Membership.objects.filter(workspace_id=workspace.pk, role=Membership.Role.OWNER).order_by("id")
    return owners.values_list("user_id", flat=True).first()


def quota_key(workspace):
    """The counter a workspace's plan limits are kept in: one per owner and plan."""
    owner_id = quota_owner_id(workspace)
    if owner_id is None:  # made in the admin without members: counted on its own
        return f"workspace:{workspace.pk}"
    return f"owner:{owner_id}:{workspace.plan}"


def consume_scheduled_post(workspace):
    """Count one post scheduled today (UTC) against the workspace owner's plan; raises Throttled past
    the plan's daily limit."""
    if not settings.THROTTLING_ENABLED:
        return
    wait = _hit(f"sched:{quota_key(workspace)}", workspace.limits["scheduled_posts_per_day"], 86400)
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
            return f"api:user:{request.user.pk}", settings.PLAN_LIMITS["basic"]["api_calls_per_hour"]
        return f"api:{quota_key(workspace)}", workspace.limits["api_calls_per_hour"]

    def get_ident(self, request):
        """The client IP. X-Forwarded-For is trusted only when REST_FRAMEWORK["NUM_PROXIES"] says how
        many proxies append to it; otherwise any client could dodge the limit by sending a new one."""
        return client_ip(request)

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
