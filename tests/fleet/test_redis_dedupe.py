"""wacr.redis.RedisDedupe against a real redis-server: the store's claim/complete/release rules,
its policy when Redis fails, and 4 router replicas (separate processes, each its own Redis
connection) that run each event's handlers once when the same delivery reaches all of them."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as aioredis
from hypothesis import given
from hypothesis import strategies as st

from tests.fleet.conftest import RedisServer, read_line
from tests.webhooks.conftest import event_body
from wacr.errors import ConfigurationError
from wacr.redis import RedisDedupe
from wacr.webhooks import DedupeStore

HERE = Path(__file__).resolve().parent
REPLICAS = 4


async def test_one_claim_wins_done_stays_done_and_a_release_lets_it_run_again(
    redis: aioredis.Redis, other: aioredis.Redis
) -> None:
    a, b = RedisDedupe(redis), RedisDedupe(other)
    assert isinstance(a, DedupeStore)
    assert await a.claim("evt-1") is True
    assert await b.claim("evt-1") is False  # running on the other replica
    await a.release("evt-1")
    assert await b.claim("evt-1") is True  # the redelivery runs
    await b.complete("evt-1")
    assert await a.claim("evt-1") is False
    keys = [k async for k in redis.scan_iter("wacr:webhook:*")]
    assert len(keys) == 1 and b"evt-1" not in keys[0]  # a digest of the id, never the id
    assert 0 < await redis.pttl(keys[0]) <= 86_400_000


async def test_a_release_after_the_lease_ran_out_leaves_the_new_claim_alone(
    redis: aioredis.Redis, other: aioredis.Redis
) -> None:
    slow, fast = RedisDedupe(redis, lease=0.1), RedisDedupe(other)
    assert await slow.claim("evt-2") is True
    await asyncio.sleep(0.15)  # the lease ran out: a redelivery may run elsewhere
    assert await fast.claim("evt-2") is True
    await slow.release("evt-2")  # the first run failed late: not its claim any more
    assert await slow.claim("evt-2") is False
    await slow.release("never-claimed")  # nothing to release: no error


async def test_when_redis_fails_every_event_runs_and_it_is_logged_once(
    redis_server: RedisServer, redis: aioredis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisDedupe(redis, timeout=0.3)
    assert await store.claim("evt-3") is True
    redis_server.kill()
    try:
        assert await store.claim("evt-3") is True  # a duplicate, never a lost event
        assert await store.claim("evt-4") is True
        await store.complete("evt-4")
        await store.release("evt-3")
    finally:
        redis_server.start()
    warnings = [r.getMessage() for r in caplog.records if r.name == "wacr" and r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "duplicates possible" in warnings[0], warnings
    assert await store.claim("evt-5") is True
    assert await store.claim("evt-5") is False  # shared again
    assert "answers again" in caplog.records[-1].getMessage()


_BAD: list[tuple[str, object]] = [
    ("ttl", 0),
    ("ttl", -1),
    ("ttl", "60"),
    ("lease", float("nan")),
    ("lease", True),
    ("lease", 10**400),  # beyond any float
    ("timeout", 0),
    ("prefix", ""),
    ("prefix", None),
]


@given(case=st.sampled_from(_BAD))
def test_every_bad_setting_is_a_configuration_error_naming_it(case: tuple[str, object]) -> None:
    field, value = case
    with pytest.raises(ConfigurationError, match=rf"^{field} must be"):
        RedisDedupe(aioredis.Redis(), **{field: value})  # type: ignore[arg-type]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE.parents[1] / "src"), str(HERE.parents[1])])
    return env


async def _post_to_all(http: aiohttp.ClientSession, urls: list[str], ids: list[str]) -> None:
    """Each event to every replica at the same moment."""

    async def post(url: str, event_id: str) -> None:
        async with http.post(url, json=event_body(event_id=event_id)) as resp:
            assert resp.status == 200, await resp.text()

    await asyncio.gather(*(post(url, event_id) for event_id in ids for url in urls))


async def _counters(redis: aioredis.Redis, pattern: str) -> dict[str, int]:
    return {k.decode(): int(await redis.get(k) or 0) async for k in redis.scan_iter(pattern, count=1000)}


async def _settle(redis: aioredis.Redis, pattern: str, total: int) -> dict[str, int]:
    """The counters under ``pattern`` once they add up to ``total`` (and a handler's time more)."""
    for _ in range(200):
        counts = await _counters(redis, pattern)
        if sum(counts.values()) >= total:
            await asyncio.sleep(0.2)  # any duplicate would be running by now
            return await _counters(redis, pattern)
        await asyncio.sleep(0.05)
    raise AssertionError(f"the handlers did not finish: {sum(counts.values())} of {total}")


async def _released(redis: aioredis.Redis, ids: list[str]) -> None:
    """Wait until the failed events' claims are released, probing with a claim of our own."""
    probe = RedisDedupe(redis)
    for event_id in ids:
        for _ in range(200):
            if await probe.claim(event_id):
                await probe.release(event_id)
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError(f"the claim of {event_id} was never released")


async def test_replicas_sharing_the_store_run_each_event_once(
    redis_server: RedisServer, redis: aioredis.Redis
) -> None:
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(HERE / "webhook_replica.py"),
            redis_server.url,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,  # the flaky handler's failures, logged as expected
            env=_env(),
        )
        for _ in range(REPLICAS)
    ]
    try:
        ports = []
        for proc in procs:
            assert proc.stdout is not None
            ports.append(int((await read_line(proc.stdout)).split()[1]))
        ids = [f"evt-{n}" for n in range(95)] + [f"flaky-{n}" for n in range(5)]
        connector = aiohttp.TCPConnector(limit=100)
        async with aiohttp.ClientSession(connector=connector) as http:
            # The control: each replica's own memory cannot see the others' runs.
            await _post_to_all(http, [f"http://127.0.0.1:{p}/local" for p in ports], ids[:20])
            local = await _settle(redis, "test:local:attempts:*", 20 * REPLICAS)
            assert set(local.values()) == {REPLICAS}

            shared = [f"http://127.0.0.1:{p}/shared" for p in ports]
            await _post_to_all(http, shared, ids)
            attempts = await _settle(redis, "test:shared:attempts:*", len(ids))
            assert attempts == {f"test:shared:attempts:{i}": 1 for i in ids}
            runs = await _settle(redis, "test:shared:runs:*", 95)
            assert runs == {f"test:shared:runs:{i}": 1 for i in ids[:95]}
            await redis.set("test:shared:fail-now", 1)  # every replica answered: the flaky ones fail
            await _released(redis, ids[95:])

            # The platform delivers everything again: only the failed events run, once each.
            await _post_to_all(http, shared, ids)
            runs = await _settle(redis, "test:shared:runs:*", 100)
            assert runs == {f"test:shared:runs:{i}": 1 for i in ids}
            attempts = await _settle(redis, "test:shared:attempts:*", 105)
            assert sum(attempts.values()) == 105
            assert await redis.get("test:shared:overlaps") is None  # never one id twice at once
    finally:
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.close()
        codes = await asyncio.gather(*(asyncio.wait_for(proc.wait(), 10) for proc in procs))
    assert list(codes) == [0] * REPLICAS
