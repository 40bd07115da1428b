"""Plan caps, read from the environment. Plans are for operators who sell the service: with no plan
configured (the default) nothing is capped. An operator caps a plan with
PLAN_<PLAN>_API_CALLS_PER_HOUR and PLAN_<PLAN>_SCHEDULED_POSTS_PER_DAY (PLAN: BASIC, PRO, ENTERPRISE,
the values of accounts.models.Workspace.Plan); empty or 0 is no cap. accounts/throttling.py enforces
them and names the setting that lifts a cap when one bites."""

from django.core.exceptions import ImproperlyConfigured

PLANS = ("basic", "pro", "enterprise")
CAPS = ("api_calls_per_hour", "scheduled_posts_per_day")


def setting_name(plan, cap):
    """The environment variable that sets `cap` for `plan`: PLAN_BASIC_SCHEDULED_POSTS_PER_DAY."""
    return f"PLAN_{plan.upper()}_{cap.upper()}"


def plan_limits(environ):
    """{plan: {cap: int or None}}; None is no cap."""
    limits = {}
    for plan in PLANS:
        limits[plan] = {}
        for cap in CAPS:
            name = setting_name(plan, cap)
            raw = (environ.get(name) or "").strip()
            try:
                value = int(raw or 0)
            except ValueError:
                raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number (leave it empty or 0 for no cap).") from None
            if value < 0:
                raise ImproperlyConfigured(f"{name}={raw!r} is negative (leave it empty or 0 for no cap).")
            limits[plan][cap] = value or None
    return limits
