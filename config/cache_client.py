"""The raw redis-py client behind the project's cache, for callers that need Redis itself (a Lua script,
MGET of raw bytes) rather than Django's cache API."""

from django.core.cache import cache


def raw_redis():
    """The redis-py client django-redis holds for the default cache, or None when the cache is another
    backend (development without REDIS_URL: LocMemCache)."""
    client = getattr(cache, "client", None)
    return client.get_client(write=True) if hasattr(client, "get_client") else None
