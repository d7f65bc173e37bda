"""wacr.redis.RedisRateLimiter under trouble, against a real redis-server: paused (SIGSTOP) or killed
under concurrent load, calls go on at the fallback's pace and none waits out its timeout; a call
given up while its reservation is on its way to Redis gives the slot back; an answer with a far-off
reset holds the fleet for at most a minute, and a call that cannot wait that long raises at once;
one limiter serving many tokens does not grow with them."""

from __future__ import annotations

import asyncio
import collections
import gc
import logging
import os
import signal
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
import redis.asyncio as aioredis

import wacr
from tests.core.conftest import Reply, Scripted, api
from tests.fleet.conftest import RedisServer
from wacr._ratelimit import MAX_IDLE_KEYS
from wacr._response import RateLimit
from wacr.errors import RateLimitError
from wacr.redis import RedisRateLimiter

__all__ = ["api"]  # the loopback API server fixture

KEY = "budget-hash"
TOKEN = "fleet-token-0123456789abcdef"
OK = {"success": True, "data": {"id": 1}}


@pytest.fixture
async def guide_redis(redis_server: RedisServer, redis: aioredis.Redis) -> AsyncIterator[aioredis.Redis]:
    """A client with the settings docs/guides/fleet.md recommends."""
    client = aioredis.Redis.from_url(redis_server.url, socket_timeout=0.5, socket_connect_timeout=0.5)
    try:
        yield client
    finally:
        await client.aclose()


@contextmanager
def paused(server: RedisServer) -> Iterator[None]:
    """The server stops answering (SIGSTOP) until the block ends: its sockets stay open."""
    assert server.proc is not None
    os.kill(server.proc.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(server.proc.pid, signal.SIGCONT)


def _wacr_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "wacr" and r.levelno == logging.WARNING]


async def _burst(
    client: wacr.Client, senders: int, calls: int, timeout: float
) -> tuple[list[str], list[float]]:
    """``senders`` tasks making ``calls`` calls each; what each call ended with, and when the
    successful ones were answered."""
    outcomes: list[str] = []
    answered: list[float] = []

    async def sender() -> None:
        for _ in range(calls):
            try:
                await client.request("GET", "/contacts", timeout=timeout)
            except wacr.WacrError as error:
                outcomes.append(f"{type(error).__name__}: {error}")
            else:
                outcomes.append("ok")
                answered.append(time.monotonic())

    await asyncio.gather(*(sender() for _ in range(senders)))
    return outcomes, sorted(answered)


PER_MINUTE = 2400  # 25 ms apart, in Redis and in the fallback


async def test_a_paused_redis_sends_every_caller_to_the_fallback_and_back(
    api: Scripted, redis_server: RedisServer, guide_redis: aioredis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    api.reply(Reply(200, OK))
    limiter = RedisRateLimiter(guide_redis, per_minute=PER_MINUTE, timeout=0.25, retry_interval=0.2)
    async with wacr.Client(TOKEN, base_url=api.url(), rate_limit=limiter, max_retries=0) as client:
        outcomes, _ = await _burst(client, 4, 2, timeout=3.0)  # Redis answers: the script is loaded
        assert outcomes == ["ok"] * 8
        with paused(redis_server):
            started = time.monotonic()
            # 24 callers at once: before, each queued one spent the Redis timeout in turn (6 s).
            outcomes, answered = await _burst(client, 24, 1, timeout=3.0)
            assert collections.Counter(outcomes) == {"ok": 24}, collections.Counter(outcomes)
            assert time.monotonic() - started < 2.5
            # Paced by the fallback all the same (the first may go at once).
            interval = 60 / PER_MINUTE
            assert answered[-1] - answered[1] >= 22 * interval - 0.02, answered
            outcomes, _ = await _burst(client, 4, 3, timeout=3.0)  # later ones do not try Redis at all
            assert collections.Counter(outcomes) == {"ok": 12}
        assert [m for m in _wacr_warnings(caplog) if "Redis failed" in m] != []
        # Redis answers again: a background check finds it, and the calls go back to it.
        deadline = time.monotonic() + 5
        while not any("Redis answers again" in m for m in _wacr_warnings(caplog)):
            assert time.monotonic() < deadline, _wacr_warnings(caplog)
            await client.request("GET", "/contacts")
            await limiter.aclose()
        # The budget (the check's own key, <prefix>probe, expires in a second).
        (name,) = [
            key for key in await guide_redis.keys("wacr:ratelimit:*") if key != b"wacr:ratelimit:probe"
        ]
        before = await guide_redis.hget(name, "tat")
        await client.request("GET", "/contacts")
        assert await guide_redis.hget(name, "tat") != before
    await limiter.aclose()


async def test_redis_killed_under_load_the_calls_go_on_at_the_fallbacks_pace(
    api: Scripted, redis_server: RedisServer, redis: aioredis.Redis
) -> None:
    """With a client whose own reconnect retries take seconds against a dead server (the default
    retry policy of ``Redis(...)``; one that fails at once is test_redis_limiter.py's case)."""
    api.reply(Reply(200, OK))
    shared = aioredis.Redis(
        host="127.0.0.1", port=redis_server.port, socket_timeout=0.5, socket_connect_timeout=0.5
    )
    limiter = RedisRateLimiter(shared, per_minute=PER_MINUTE, timeout=0.25, retry_interval=0.2)
    async with wacr.Client(TOKEN, base_url=api.url(), rate_limit=limiter, max_retries=0) as client:
        await client.request("GET", "/contacts")

        async def kill_soon() -> None:
            await asyncio.sleep(0.2)  # a few calls went through Redis
            redis_server.kill()

        try:
            started = time.monotonic()
            (outcomes, answered), _ = await asyncio.gather(_burst(client, 16, 3, timeout=2.0), kill_soon())
            assert collections.Counter(outcomes) == {"ok": 48}, collections.Counter(outcomes)
            assert time.monotonic() - started < 4.0
            interval = 60 / PER_MINUTE
            assert answered[-1] - answered[0] >= 40 * interval, answered  # paced throughout
        finally:
            await limiter.aclose()
            await shared.aclose()
            redis_server.start()
    assert len(api.seen) == 49


GiveUp = Callable[[RedisRateLimiter], Awaitable[None]]


async def _cancel(limiter: RedisRateLimiter) -> None:
    task = asyncio.ensure_future(limiter.acquire(KEY))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def _call_timeout(limiter: RedisRateLimiter) -> None:
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(limiter.acquire(KEY), 0.1)


async def _redis_timeout(limiter: RedisRateLimiter) -> None:
    await limiter.acquire(KEY)  # Redis does not answer within the limiter's timeout: the fallback's slot


GIVE_UPS: dict[str, tuple[GiveUp, float]] = {
    "cancelled": (_cancel, 1.0),
    "the call timed out": (_call_timeout, 1.0),
    "the Redis call timed out": (_redis_timeout, 0.2),
}


@pytest.mark.parametrize("how", list(GIVE_UPS))
async def test_a_caller_given_up_while_its_reservation_is_on_its_way_gives_the_slot_back(
    redis_server: RedisServer, redis: aioredis.Redis, other: aioredis.Redis, how: str
) -> None:
    give_up, timeout = GIVE_UPS[how]
    a = RedisRateLimiter(redis, per_minute=120)
    b = RedisRateLimiter(other, per_minute=120, timeout=timeout)  # 0.5 s apart
    await b.acquire("warm-up")  # b's connection is open: its next command goes out at once
    await a.acquire(KEY)
    before = await redis.hget("wacr:ratelimit:" + KEY, "tat")
    with paused(redis_server):
        await give_up(b)  # its ACQUIRE reached Redis's socket; Redis runs it once resumed
    await b.aclose()  # the give-back
    assert await redis.hget("wacr:ratelimit:" + KEY, "tat") == before


@pytest.mark.parametrize("reset_in", [90, 3600, 86_400 * 365])
async def test_a_far_reset_holds_the_fleet_a_minute_at_most_and_who_cannot_wait_raises_at_once(
    redis: aioredis.Redis, other: aioredis.Redis, reset_in: int
) -> None:
    a, b = RedisRateLimiter(redis, per_minute=6000), RedisRateLimiter(other, per_minute=6000)
    await a.acquire(KEY)
    a.observe(KEY, RateLimit(6000, 0, datetime.now(timezone.utc) + timedelta(seconds=reset_in)))
    await a.aclose()
    name = "wacr:ratelimit:" + KEY
    seconds, micros = await redis.time()
    ahead = (int(await redis.hget(name, "tat")) - (seconds * 1_000_000 + micros)) / 1e6
    assert 55 < ahead <= 60, ahead  # on Redis's clock
    for limiter in (a, b):  # every process is held, none sleeps in vain
        started = time.monotonic()
        with pytest.raises(RateLimitError) as caught:
            await limiter.acquire(KEY, max_wait=5.0)
        assert time.monotonic() - started < 1.0
        assert caught.value.retry_after is not None and 55 < caught.value.retry_after <= 60
        assert "nothing was sent" in str(caught.value)
    assert (
        int(await redis.hget(name, "tat")) - (seconds * 1_000_000 + micros)
    ) / 1e6 == ahead  # no slot taken


async def test_a_client_whose_call_cannot_wait_for_the_fleets_hold_raises_at_once(
    api: Scripted, redis: aioredis.Redis
) -> None:
    reset = str(int(time.time()) + 3600)
    api.reply(
        Reply(
            200,
            OK,
            headers={"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
        )
    )
    limiter = RedisRateLimiter(redis)
    async with wacr.Client(TOKEN, base_url=api.url(), rate_limit=limiter) as client:
        await client.request("GET", "/contacts")
        await limiter.aclose()  # the hold is in Redis
        started = time.monotonic()
        with pytest.raises(RateLimitError) as caught:
            await client.request("POST", "/messages/text", json={"phone": "+201000000000"})
        assert time.monotonic() - started < 1.0
    assert caught.value.status is None and caught.value.may_have_been_processed is False
    assert caught.value.method == "POST" and len(api.seen) == 1


async def test_one_limiter_for_many_tokens_keeps_nothing_per_token(redis: aioredis.Redis) -> None:
    """A multi-tenant service: one limiter, a new token after another. Batches of MAX_IDLE_KEYS
    tokens (so the bounded caches are at the same fill after each): memory stays flat."""
    limiter = RedisRateLimiter(redis, per_minute=6_000_000)
    figures = RateLimit(6_000_000, 5_999_999, datetime.now(timezone.utc) + timedelta(seconds=60))
    made = 0

    async def one(key: str) -> None:
        await limiter.acquire(key)
        limiter.observe(key, figures)

    async def batch() -> int:
        nonlocal made
        for _ in range(MAX_IDLE_KEYS // 32):  # 32 tokens at a time
            await asyncio.gather(*(one(f"wacr:{made + n:032x}") for n in range(32)))
            made += 32
            await limiter.aclose()
        gc.collect()
        return tracemalloc.get_traced_memory()[0]

    tracemalloc.start()
    try:
        first = await batch()  # the caches fill up
        second = await batch()
    finally:
        tracemalloc.stop()
    per_token = (second - first) / MAX_IDLE_KEYS
    assert per_token < 100, per_token  # it was ~400 B: a lock and a cached limit per token
    assert sum(isinstance(o, asyncio.Lock) for o in gc.get_objects()) < 10
