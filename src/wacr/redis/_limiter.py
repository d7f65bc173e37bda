"""``RedisRateLimiter``: one rate budget for every process on a token (see :mod:`wacr.redis`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Final

from wacr._ratelimit import Limiter, RateLimiter, check_per_minute, hold_until
from wacr.errors import ConfigurationError
from wacr.redis._scripts import (
    ACQUIRE,
    FAILURES,
    GIVE_BACK,
    OBSERVE,
    AsyncRedis,
    Redis,
    client_of,
    positive,
    prefix_of,
)

if TYPE_CHECKING:
    from wacr._response import RateLimit

__all__ = ["RedisRateLimiter"]

# The fallback's pace while no limit is known: none (it learns one from observe()).
_UNPACED: Final = 1e9
# How long a budget's state outlives its last use (it holds the learned limit).
_BUDGET_TTL_MS: Final = 3_600_000


class RedisRateLimiter:
    """A rate limiter shared through Redis: every process using it with one token paces its calls
    so that, together, they stay under the token's limit.

    A GCRA with a burst of one in one Lua script, on Redis's clock (``TIME``, so the processes'
    own clocks do not matter): calls on one budget go at least ``60 / limit`` seconds apart
    across the fleet, whatever process makes them, so no 60-second span holds more than the
    limit. Each call reserves the next free slot and sleeps until it, so the fleet is served in
    the order it asked, one reservation per process at a time (a process's other callers queue
    in arrival order, taking nothing while they wait). A caller cancelled or timed out while it
    waits gives its slot back unless a later one was reserved meanwhile (then the slot goes
    unused: the fleet stays under the limit, never over). The state lives under ``prefix`` + the
    transport's key (a hash of base URL and token, never the token).

    The limit: ``per_minute`` when given, lowered by what the answers' ``X-RateLimit-Limit``
    says. With ``per_minute=None`` it is learned from the answers: a process's calls go unpaced
    until its first answer carrying the headers (so at most its concurrency of them), and the
    calls made so far (the server's count or the fleet's unpaced ones, whichever is more) are
    then taken as spent slots. An answer saying no calls are left holds the budget until its
    ``X-RateLimit-Reset``, for every process. ``headroom`` (default 1%) is the share of the limit
    left unused so that network jitter cannot land a window's last call in the next one.

    Args:
        redis: a ``redis.asyncio`` client; never closed here.
        per_minute: the ceiling, calls per minute, or ``None`` to learn it.
        prefix: the Redis key prefix of the budgets.
        timeout: seconds allowed for each Redis call (on loopback one takes about 0.1 ms; the
            default leaves room for a loaded host before falling back).
        headroom: the fraction of the limit left unused, ``0 <= headroom < 0.5``.
        fallback: the limiter used while Redis fails; default an in-process
            :class:`wacr.RateLimiter` at the same limit.
        retry_interval: while Redis fails, how often (seconds) a call tries it again.
    """

    def __init__(
        self,
        redis: AsyncRedis,
        per_minute: float | None = None,
        *,
        prefix: str = "wacr:ratelimit:",
        timeout: float = 1.0,
        headroom: float = 0.01,
        fallback: Limiter | None = None,
        retry_interval: float = 1.0,
    ) -> None:
        self.per_minute: float | None = None if per_minute is None else check_per_minute(per_minute)
        if isinstance(headroom, bool) or not isinstance(headroom, (int, float)) or not 0 <= headroom < 0.5:
            raise ConfigurationError(f"headroom must be a number from 0 to less than 0.5, not {headroom!r}")
        if fallback is not None and not isinstance(fallback, Limiter):
            raise ConfigurationError(f"fallback must be a rate limiter (acquire, observe), not {fallback!r}")
        self.prefix: str = prefix_of(prefix)
        self.headroom: float = float(headroom)
        self.retry_interval: float = positive(retry_interval, "retry_interval")
        self._redis = Redis(client_of(redis), positive(timeout, "timeout"), "wacr.redis.RedisRateLimiter")
        self._fallback: Limiter = fallback or RateLimiter(per_minute=self.per_minute or _UNPACED)
        self._interval = 0 if self.per_minute is None else self._micros(self.per_minute)
        self._locks: dict[str, asyncio.Lock] = {}
        self._limits: dict[str, int] = {}  # the last X-RateLimit-Limit told to Redis, per key
        self._next_try = 0.0  # while Redis fails: when a call may try it again
        self._writes: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"RedisRateLimiter(per_minute={self.per_minute!r}, prefix={self.prefix!r})"

    def _micros(self, per_minute: float) -> int:
        """The spacing of calls at ``per_minute`` less the headroom, in microseconds."""
        return round(60_000_000 / (per_minute * (1.0 - self.headroom)))

    async def acquire(self, key: str) -> None:
        """Wait for ``key``'s next slot across the fleet (or the fallback's while Redis fails)."""
        if self._redis.down and time.monotonic() < self._next_try:
            await self._fallback.acquire(key)
            return
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        name = self.prefix + key
        async with lock:  # one reservation at a time per process: the others queue here, FIFO
            try:
                known = self._limits.get(key)  # this process's own news: pace by it at once
                interval = self._interval if known is None else max(self._interval, self._micros(known))
                wait, tat, slot = await self._redis.script(ACQUIRE, 1, name, interval, _BUDGET_TTL_MS)
            except FAILURES as exc:
                self._redis.failed(exc, "each process paces itself")
                self._next_try = time.monotonic() + self.retry_interval
            else:
                self._redis.works()
                if int(wait) > 0:
                    try:
                        await asyncio.sleep(int(wait) / 1e6)
                    except asyncio.CancelledError:
                        self._spawn(self._give_back(name, tat, slot))
                        raise
                return
        await self._fallback.acquire(key)

    def observe(self, key: str, rate_limit: RateLimit) -> None:
        """Tell the fleet a new ``X-RateLimit-Limit``, or that the window has no calls left."""
        self._fallback.observe(key, rate_limit)
        until = hold_until(rate_limit)
        if rate_limit.limit <= 0 or (self._limits.get(key) == rate_limit.limit and until is None):
            return
        self._limits[key] = rate_limit.limit
        reset = 0 if rate_limit.reset is None else round(rate_limit.reset.timestamp() * 1e6)
        args = (
            self.prefix + key,
            self._micros(rate_limit.limit),
            max(0, rate_limit.limit - rate_limit.remaining),
            reset,
            "1" if until is not None else "0",
            _BUDGET_TTL_MS,
        )
        self._spawn(self._tell(key, args))

    def _spawn(self, write: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(write)
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _give_back(self, name: str, tat: object, slot: object) -> None:
        try:
            await self._redis.script(GIVE_BACK, 1, name, tat, slot)
        except FAILURES as exc:
            self._redis.failed(exc, "each process paces itself")

    async def _tell(self, key: str, args: tuple[object, ...]) -> None:
        try:
            await self._redis.script(OBSERVE, 1, *args)
        except FAILURES as exc:
            self._limits.pop(key, None)  # tell it again with the next answer
            self._redis.failed(exc, "each process paces itself")

    async def aclose(self) -> None:
        """Wait for the writes to Redis still under way (each bounded by ``timeout``)."""
        while self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)
