"""Per-account token bucket shared by every worker, so no account exceeds its network's posting limit.

In Redis (production and tests) the bucket is one hash updated by a Lua script, atomic across workers.
Without Redis (development with the local-memory cache) a process-local bucket is used.
"""

import threading
import time

from django.conf import settings

_LUA = """
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', key, 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil then tokens = capacity; ts = now end
tokens = math.min(capacity, tokens + (now - ts) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', key, math.ceil(capacity / rate) + 60)
return tostring(wait)
"""

_local_lock = threading.Lock()
_local_buckets = {}


def _redis():
    if not settings.REDIS_URL:
        return None
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def warm():
    """Connect to Redis and load the script (worker start), so the first post pays for neither."""
    conn = _redis()
    if conn is not None:
        conn.script_load(_LUA)


def take(*, account_id, capacity, per_seconds, scope="account"):
    """Take one token from the account's bucket. Returns 0.0 when granted, else the seconds to wait
    before a token will be available (nothing is taken in that case). `scope` names a separate bucket
    of the same account ("metrics": analytics reads, which must not use up the posting budget)."""
    rate = capacity / per_seconds
    now = time.time()
    conn = _redis()
    if conn is not None:
        from redis.exceptions import RedisError

        from social_media.platforms.base import TransientError

        try:
            script = conn.register_script(_LUA)
            return float(script(keys=[f"bucket:{scope}:{account_id}"], args=[capacity, rate, now]))
        except RedisError as exc:  # nothing was sent to the network yet: retrying later is safe
            raise TransientError("The posting rate limiter is unavailable; the post will be retried.") from exc
    with _local_lock:
        tokens, ts = _local_buckets.get((scope, account_id), (capacity, now))
        tokens = min(capacity, tokens + (now - ts) * rate)
        if tokens >= 1:
            _local_buckets[(scope, account_id)] = (tokens - 1, now)
            return 0.0
        _local_buckets[(scope, account_id)] = (tokens, now)
        return (1 - tokens) / rate
