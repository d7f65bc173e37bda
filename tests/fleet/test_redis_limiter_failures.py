"""wacr.redis.RedisRateLimiter against two more kinds of trouble, with a real redis-server:

- made before a ``fork()`` (gunicorn ``--preload``, multiprocessing's fork start): the children
  share the budget, and their reservations never pass for one another's;
- a Redis that answers PING but refuses writes (out of memory, a read-only replica): the
  limiter stays on its fallback until writes work again, with one warning for the outage.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import time
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from tests.fleet.conftest import RedisServer
from wacr.redis import RedisRateLimiter

PER_MINUTE = 1200  # one call every 50 ms across the fleet
INTERVAL = 60 / PER_MINUTE


def _child(limiter: RedisRateLimiter, calls: int, grants: multiprocessing.Queue[float]) -> None:
    async def run() -> None:
        for _ in range(calls):
            await limiter.acquire("forked")
            grants.put(time.time())
        await limiter.aclose()

    asyncio.run(run())


def test_children_forked_from_one_limiter_share_the_budget(redis_server: RedisServer) -> None:
    if not redis_server.running:
        redis_server.start()
    # Made in the parent, never used there: each child connects on its own loop.
    limiter = RedisRateLimiter(aioredis.Redis.from_url(redis_server.url), per_minute=PER_MINUTE, headroom=0.0)
    fork = multiprocessing.get_context("fork")
    grants: multiprocessing.Queue[float] = fork.Queue()
    children, calls = 4, 3
    processes = [fork.Process(target=_child, args=(limiter, calls, grants)) for _ in range(children)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(30)
        assert process.exitcode == 0
    times = sorted(grants.get(timeout=5) for _ in range(children * calls))
    # Paced across the fleet: 12 grants take 11 intervals (a repeated reservation id let the
    # children through four at a time: about 2 intervals in all). A liveness-style lower bound.
    assert times[-1] - times[0] >= (children * calls - 1) * INTERVAL * 0.8


@pytest.fixture
async def write_refusing(redis_server: RedisServer, redis: aioredis.Redis) -> AsyncIterator[aioredis.Redis]:
    """The server refuses every write (maxmemory below what it uses, no eviction) until the test ends."""
    await redis.config_set("maxmemory-policy", "noeviction")
    await redis.config_set("maxmemory", "1")
    try:
        yield redis
    finally:
        await redis.config_set("maxmemory", "0")


async def test_a_redis_that_pings_but_refuses_writes_keeps_the_fallback(
    write_refusing: aioredis.Redis, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="wacr")
    client = aioredis.Redis.from_url(redis_server.url, socket_timeout=1.0)
    limiter = RedisRateLimiter(client, per_minute=60_000, retry_interval=0.05)
    try:
        assert await write_refusing.ping()  # it answers...
        started = time.monotonic()
        calls = 0
        while time.monotonic() - started < 1.0:  # twenty checks of Redis, at least
            await limiter.acquire("oom")
            calls += 1
            await asyncio.sleep(0.01)
        warnings = [r.getMessage() for r in caplog.records if r.name == "wacr"]
        # ... but every check is a write, which fails: one outage, one warning, no flapping.
        assert len(warnings) == 1 and "Redis failed" in warnings[0], warnings
        assert calls > 20  # the calls went on, paced by the fallback
        await write_refusing.config_set("maxmemory", "0")  # writes work again
        deadline = time.monotonic() + 10
        while not any("answers again" in r.getMessage() for r in caplog.records):
            assert time.monotonic() < deadline, "the limiter never went back to Redis"
            await limiter.acquire("oom")
            await asyncio.sleep(0.02)
    finally:
        await limiter.aclose()
        await client.aclose()
