"""wacr.RateLimiter, the in-process limiter: pacing, arrival order, cancellation, what it learns
from the answers, and its settings."""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wacr._ratelimit import Limiter, RateLimiter
from wacr._response import RateLimit
from wacr.errors import ConfigurationError

INTERVAL = 0.04  # seconds between slots at 1500 a minute
PER_MINUTE = 60 / INTERVAL


def _figures(limit: int, remaining: int, reset_in: float | None = None) -> RateLimit:
    reset = None if reset_in is None else datetime.now(timezone.utc) + timedelta(seconds=reset_in)
    return RateLimit(limit, remaining, reset)


async def _admit(limiter: RateLimiter, key: str, label: int, admitted: list[tuple[int, float]]) -> None:
    await limiter.acquire(key)
    admitted.append((label, time.monotonic()))


def test_it_is_a_limiter() -> None:
    assert isinstance(RateLimiter(per_minute=60), Limiter)
    assert repr(RateLimiter(per_minute=90)) == "RateLimiter(per_minute=90)"


@settings(max_examples=8, deadline=None)
@given(cancelled=st.sets(st.integers(min_value=1, max_value=5), max_size=3))
def test_callers_go_in_order_one_slot_apart_and_cancelled_ones_take_no_slot(cancelled: set[int]) -> None:
    async def run() -> list[tuple[int, float]]:
        limiter = RateLimiter(per_minute=PER_MINUTE)
        admitted: list[tuple[int, float]] = []
        tasks = []
        for label in range(6):
            tasks.append(asyncio.create_task(_admit(limiter, "k", label, admitted)))
            await asyncio.sleep(0)  # they arrive in label order
        await asyncio.sleep(INTERVAL / 2)  # all queued; the first has gone
        for label in cancelled:
            tasks[label].cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return admitted

    admitted = asyncio.run(run())
    assert [label for label, _ in admitted] == [n for n in range(6) if n not in cancelled]
    times = [at for _, at in admitted]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= INTERVAL - 0.002 for gap in gaps), gaps
    # A cancelled caller's slot goes to the next one: no gap of two slots.
    assert all(gap < 1.9 * INTERVAL for gap in gaps), gaps


async def test_a_timed_out_waiter_takes_no_slot_and_keys_are_separate() -> None:
    limiter = RateLimiter(per_minute=60 / 0.2)
    await limiter.acquire("a")
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(limiter.acquire("a"), 0.05)
    started = time.monotonic()
    await limiter.acquire("b")  # another budget: not held up
    assert time.monotonic() - started < 0.05
    await limiter.acquire("a")  # the slot the timed-out caller gave up
    assert 0.1 < time.monotonic() - started < 0.3


async def test_a_lower_limit_from_the_answers_slows_the_key() -> None:
    limiter = RateLimiter(per_minute=PER_MINUTE)
    limiter.observe("k", _figures(int(PER_MINUTE * 10), 100))  # a higher limit changes nothing
    await limiter.acquire("k")
    limiter.observe("k", _figures(int(PER_MINUTE / 3), 100))  # three times slower
    started = time.monotonic()
    await limiter.acquire("k")
    await limiter.acquire("k")
    assert time.monotonic() - started >= 2 * 3 * INTERVAL - 0.01


async def test_none_left_holds_the_key_until_the_reset() -> None:
    limiter = RateLimiter(per_minute=6000)
    await limiter.acquire("k")
    limiter.observe("k", _figures(6000, 0, reset_in=0.3))
    started = time.monotonic()
    await limiter.acquire("k")
    assert time.monotonic() - started >= 0.25
    limiter.observe("k", _figures(6000, 0))  # no reset given: nothing to hold until
    started = time.monotonic()
    await limiter.acquire("k")
    assert time.monotonic() - started < 0.1


@given(
    value=st.one_of(
        st.integers(max_value=0),
        st.floats(max_value=0),
        st.sampled_from([math.nan, math.inf, -math.inf, True, False, None, "60", [60]]),
    )
)
def test_per_minute_must_be_a_positive_number(value: object) -> None:
    with pytest.raises(ConfigurationError, match=r"per_minute must be a positive number"):
        RateLimiter(per_minute=value)  # type: ignore[arg-type]
