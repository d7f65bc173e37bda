"""Fleets on Redis: one rate budget and one webhook de-duplication for many processes (extra ``redis``).

``RedisRateLimiter`` paces every process that calls the API with one token so that together they
stay under the token's limit; ``RedisDedupe`` lets router replicas share which webhook events
ran. Both take a ``redis.asyncio.Redis`` client you create and close::

    import redis.asyncio as aioredis
    import wacr, wacr.redis

    r = aioredis.Redis.from_url("redis://localhost:6379/0")
    client = wacr.Client(rate_limit=wacr.redis.RedisRateLimiter(r))
    router = wacr.webhooks.Router(dedupe=wacr.redis.RedisDedupe(r))

**When Redis fails** (an error, or no answer within ``timeout`` seconds, on every call): the
limiter falls back to an in-process :class:`wacr.RateLimiter` (each process then paces itself to
the whole limit, so a fleet may meet 429s, which the retry policy absorbs) and the store lets
every event run (duplicates possible, never a lost event). Each logs one WARNING on the ``wacr``
logger when Redis stops answering and one when it answers again; both go back to Redis on their
own, the limiter probing it at most every ``retry_interval`` seconds.
"""

from __future__ import annotations

try:
    import redis.exceptions  # noqa: F401  (redis-py is what this integration needs)
except ImportError as _missing:  # tests/fleet/test_imports.py runs this without redis-py
    raise ImportError(
        "wacr.redis needs redis-py, which is not installed: install the `redis` extra, "
        "pip install 'wacr[redis]'"
    ) from _missing

from wacr.redis._dedupe import RedisDedupe
from wacr.redis._limiter import RedisRateLimiter
from wacr.redis._scripts import AsyncRedis

__all__ = ["AsyncRedis", "RedisDedupe", "RedisRateLimiter"]
