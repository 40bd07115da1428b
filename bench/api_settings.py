"""Settings for bench/api.py: the test settings (production config, DEBUG off) plus the benchmark's own
URLs (a bare JSON view, the hand-written equivalents) and a plan limit the load cannot exhaust, so the
throttle still runs on every request but never answers 429."""

from tests.settings import *  # noqa: F401,F403
from tests.settings import PLAN_LIMITS

ROOT_URLCONF = "bench.api_urls"
PLAN_LIMITS = {**PLAN_LIMITS, "enterprise": {**PLAN_LIMITS["enterprise"], "api_calls_per_hour": 10**9}}
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
