"""wacr.redis.RedisRateLimiter against a real redis-server: limiters on separate connections (as
separate processes have) pace together, learn the limit, hold at a window's end, give a cancelled
slot back, survive a script flush, fall back when Redis dies or hangs, and recover."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from datetime import datetime, timedelta, timezone

import pytest
import redis.asyncio as aioredis
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fleet.conftest import RedisServer
from wacr._ratelimit import Limiter, RateLimiter
from wacr._response import RateLimit
from wacr.errors import ConfigurationError
from wacr.redis import RedisRateLimiter

KEY = "budget-hash"


def _figures(limit: int, remaining: int, reset_in: float | None = 60.0) -> RateLimit:
    reset = None if reset_in is None else datetime.now(timezone.utc) + timedelta(seconds=reset_in)
    return RateLimit(limit, remaining, reset)


def _wacr_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "wacr" and r.levelno == logging.WARNING]


async def test_limiters_on_separate_connections_pace_together(
    redis: aioredis.Redis, other: aioredis.Redis
) -> None:
    a, b = RedisRateLimiter(redis, per_minute=1500), RedisRateLimiter(other, per_minute=1500)
    assert isinstance(a, Limiter)
    interval = 60 / (1500 * (1 - a.headroom))
    admitted: list[float] = []

    async def caller(limiter: RedisRateLimiter) -> None:
        for _ in range(4):
            await limiter.acquire(KEY)
            admitted.append(time.monotonic())

    await asyncio.gather(caller(a), caller(b), caller(a), caller(b))
    admitted.sort()
    gaps = [y - x for x, y in itertools.pairwise(admitted)]
    assert all(gap > interval - 0.012 for gap in gaps), gaps
    assert admitted[-1] - admitted[0] >= 15 * interval - 0.012
    assert await redis.exists("wacr:ratelimit:" + KEY)
    assert await redis.ttl("wacr:ratelimit:" + KEY) > 3000  # the state expires once unused


@settings(max_examples=10, deadline=None)
@given(
    calls=st.lists(
        st.tuples(st.integers(0, 2), st.one_of(st.none(), st.floats(0.001, 0.06))), min_size=2, max_size=7
    )
)
def test_however_calls_interleave_and_are_cancelled_the_fleet_stays_paced(
    redis_server: RedisServer, calls: list[tuple[int, float | None]]
) -> None:
    """Three limiters (three connections); each call on one of them, some given up after a while.
    However they fall, the calls that went span at least one interval each."""

    async def run() -> list[float]:
        clients = [aioredis.Redis.from_url(redis_server.url) for _ in range(3)]
        prefix = f"prop:{time.time_ns()}:"  # a budget of its own per example
        limiters = [RedisRateLimiter(c, per_minute=1500, prefix=prefix) for c in clients]
        went: list[float] = []

        async def call(which: int, give_up: float | None) -> None:
            try:
                await asyncio.wait_for(limiters[which].acquire(KEY), give_up)
            except asyncio.TimeoutError:
                return
            went.append(time.monotonic())

        try:
            await asyncio.gather(*(call(which, give_up) for which, give_up in calls))
            for limiter in limiters:
                await limiter.aclose()
        finally:
            for c in clients:
                await c.aclose()
        return sorted(went)

    if not redis_server.running:
        redis_server.start()
    went = asyncio.run(run())
    interval = 60 / (1500 * 0.99)
    assert went, "the first call never waits"
    assert went[-1] - went[0] >= (len(went) - 1) * interval - 0.015, went


async def test_the_limit_is_learned_and_shared_and_early_calls_count(
    redis: aioredis.Redis, other: aioredis.Redis
) -> None:
    a, b = RedisRateLimiter(redis), RedisRateLimiter(other)
    started = time.monotonic()
    for _ in range(3):  # no limit known: unpaced
        await a.acquire(KEY)
    assert time.monotonic() - started < 0.1
    a.observe(KEY, _figures(1200, 1199))  # the server counted one; three were made
    await a.aclose()
    interval = 60 / (1200 * (1 - a.headroom))
    started = time.monotonic()
    await b.acquire(KEY)  # b never saw an answer: it paces by what a told Redis
    await b.acquire(KEY)
    assert time.monotonic() - started >= 4 * interval - 0.01


async def test_a_lower_limit_than_configured_wins(redis: aioredis.Redis) -> None:
    limiter = RedisRateLimiter(redis, per_minute=6000)
    limiter.observe(KEY, _figures(600, 599))
    await limiter.aclose()
    await limiter.acquire(KEY)
    started = time.monotonic()
    await limiter.acquire(KEY)
    assert time.monotonic() - started >= 0.09


async def test_none_left_holds_every_process_until_the_reset(
    redis: aioredis.Redis, other: aioredis.Redis
) -> None:
    a, b = RedisRateLimiter(redis, per_minute=6000), RedisRateLimiter(other, per_minute=6000)
    await a.acquire(KEY)
    a.observe(KEY, _figures(6000, 0, reset_in=0.5))
    await a.aclose()
    started = time.monotonic()
    await b.acquire(KEY)
    assert time.monotonic() - started >= 0.4


async def test_a_cancelled_waiter_gives_its_slot_back(redis: aioredis.Redis, other: aioredis.Redis) -> None:
    a, b = RedisRateLimiter(redis, per_minute=120), RedisRateLimiter(other, per_minute=120)
    await a.acquire(KEY)
    first = time.monotonic()
    before = await redis.hget("wacr:ratelimit:" + KEY, "tat")
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(b.acquire(KEY), 0.05)  # had reserved the next slot
    await b.aclose()
    assert await redis.hget("wacr:ratelimit:" + KEY, "tat") == before
    await a.acquire(KEY)  # gets that slot, not the one after
    assert 0.4 < time.monotonic() - first < 0.8


async def test_a_client_that_decodes_replies_works_alike(
    redis_server: RedisServer, redis: aioredis.Redis
) -> None:
    client = aioredis.Redis.from_url(redis_server.url, decode_responses=True)
    try:
        a, b = RedisRateLimiter(client, per_minute=120), RedisRateLimiter(client, per_minute=120)
        await a.acquire(KEY)
        before = await client.hget("wacr:ratelimit:" + KEY, "tat")
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(b.acquire(KEY), 0.05)
        await b.aclose()
        assert await client.hget("wacr:ratelimit:" + KEY, "tat") == before
    finally:
        await client.aclose()


async def test_a_flushed_script_cache_is_loaded_again(redis: aioredis.Redis) -> None:
    limiter = RedisRateLimiter(redis, per_minute=6000)
    await limiter.acquire(KEY)
    await redis.script_flush()
    await limiter.acquire(KEY)
    assert await redis.hget("wacr:ratelimit:" + KEY, "tat") is not None


async def test_redis_dying_falls_back_in_process_and_recovery_goes_back(
    redis_server: RedisServer, redis: aioredis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="wacr")
    limiter = RedisRateLimiter(redis, per_minute=600, timeout=0.2, retry_interval=0.3)
    await limiter.acquire(KEY)
    redis_server.kill()
    try:
        started = time.monotonic()
        for _ in range(4):  # paced in-process (600 a minute: 0.1 s apart), never stuck
            await asyncio.wait_for(limiter.acquire(KEY), 1.0)
        assert 0.25 <= time.monotonic() - started < 1.5
        assert len(_wacr_warnings(caplog)) == 1, _wacr_warnings(caplog)
        assert "Redis failed" in _wacr_warnings(caplog)[0]
    finally:
        redis_server.start()
    await asyncio.sleep(0.35)  # past retry_interval: the next call starts a check of Redis
    await limiter.acquire(KEY)  # (in the background: this call still takes the fallback's slot)
    await limiter.aclose()  # waits for the check
    assert "Redis answers again" in _wacr_warnings(caplog)[-1]
    await limiter.acquire(KEY)
    assert await redis.hget("wacr:ratelimit:" + KEY, "tat") is not None  # the new server holds it


async def test_a_redis_that_never_answers_does_not_hang_a_call(caplog: pytest.LogCaptureFixture) -> None:
    connections: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        await reader.read()  # reads the commands, answers nothing

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = aioredis.Redis(host="127.0.0.1", port=port)
    try:
        limiter = RedisRateLimiter(client, per_minute=60, timeout=0.2)
        started = time.monotonic()
        await limiter.acquire(KEY)
        assert time.monotonic() - started < 1.0
        assert any("TimeoutError" in m for m in _wacr_warnings(caplog))
    finally:
        await client.aclose()
        for writer in connections:
            writer.close()
        server.close()
        await server.wait_closed()


_BAD: list[tuple[str, object]] = [
    ("per_minute", 0),
    ("per_minute", -5),
    ("per_minute", float("nan")),
    ("per_minute", "60"),
    ("per_minute", True),
    ("timeout", 0),
    ("timeout", float("inf")),
    ("timeout", 10**400),  # beyond any float
    ("timeout", "1"),
    ("headroom", -0.1),
    ("headroom", 0.5),
    ("headroom", None),
    ("prefix", ""),
    ("prefix", b"wacr:"),
    ("retry_interval", -1),
    ("fallback", object()),
]


@given(case=st.sampled_from(_BAD))
def test_every_bad_setting_is_a_configuration_error_naming_it(case: tuple[str, object]) -> None:
    field, value = case
    client = aioredis.Redis()  # never connects
    with pytest.raises(ConfigurationError, match=rf"^{field} must be"):
        RedisRateLimiter(client, **{field: value})  # type: ignore[arg-type]


def test_the_client_must_be_a_redis_client() -> None:
    with pytest.raises(ConfigurationError, match=r"^redis must be a redis.asyncio.Redis client"):
        RedisRateLimiter("redis://localhost")  # type: ignore[arg-type]
    assert isinstance(RedisRateLimiter(aioredis.Redis(), fallback=RateLimiter(per_minute=5)), Limiter)
