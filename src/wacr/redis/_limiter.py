"""``RedisRateLimiter``: one rate budget for every process on a token (see :mod:`wacr.redis`)."""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Final

from wacr._ratelimit import (
    MAX_HOLD,
    MAX_IDLE_KEYS,
    Limiter,
    RateLimiter,
    check_per_minute,
    hold_until,
    no_slot_in_time,
    takes_max_wait,
)
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
# The longest hold one answer may put on a budget, in microseconds (the API's window).
_MAX_HOLD_US: Final = round(MAX_HOLD * 1_000_000)


class _Queue:
    """The callers of one key in this process: they reserve one at a time, in arrival order."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0  # callers holding or waiting for the lock: at 0 the entry goes


class RedisRateLimiter:
    """A rate limiter shared through Redis: every process using it with one token paces its calls
    so that, together, they stay under the token's limit.

    A GCRA with a burst of one in one Lua script, on Redis's clock (``TIME``, so the processes'
    own clocks do not matter): calls on one budget go at least ``60 / limit`` seconds apart
    across the fleet, whatever process makes them, so no 60-second span holds more than the
    limit. Each call reserves the next free slot and sleeps until it, so the fleet is served in
    the order it asked, one reservation per process at a time (a process's other callers queue
    in arrival order, taking nothing while they wait). A caller cancelled or timed out while it
    waits, or while its reservation is on its way to Redis, gives its slot back unless a later
    one was reserved meanwhile (then the slot goes unused: the fleet stays under the limit,
    never over): each reservation carries an id made here, so the slot is found without the
    script's reply. The state lives under ``prefix`` + the transport's key (a hash of base URL
    and token, never the token).

    The limit: ``per_minute`` when given, lowered by what the answers' ``X-RateLimit-Limit``
    says. With ``per_minute=None`` it is learned from the answers: a process's calls go unpaced
    until its first answer carrying the headers (so at most its concurrency of them), and the
    calls made so far (the server's count or the fleet's unpaced ones, whichever is more) are
    then taken as spent slots. An answer saying no calls are left holds the budget until its
    ``X-RateLimit-Reset``, for every process, but never more than 60 seconds (the API's window,
    on Redis's clock). ``headroom`` (default 1%) is the share of the limit left unused so that
    network jitter cannot land a window's last call in the next one. A caller given
    ``max_wait`` (the transport passes the attempt's timeout) whose slot would come later
    reserves nothing and raises :class:`~wacr.RateLimitError` at once (``retry_after`` set,
    nothing sent).

    While Redis fails (an error, or no answer within ``timeout``), every caller uses ``fallback``
    at once, the callers already queued included; every ``retry_interval`` seconds one check
    (a ``PING`` in the background, no caller waiting on it) asks Redis again, and its first
    answer sends the calls back to Redis. Only the Redis call that finds the failure makes the
    callers queued behind it wait (at most ``timeout``, once per outage and token); the queue is
    left before any fallback wait.

    Args:
        redis: a ``redis.asyncio`` client; never closed here.
        per_minute: the ceiling, calls per minute, or ``None`` to learn it.
        prefix: the Redis key prefix of the budgets.
        timeout: seconds allowed for each Redis call (on loopback one takes about 0.1 ms; the
            default leaves room for a loaded host before falling back).
        headroom: the fraction of the limit left unused, ``0 <= headroom < 0.5``.
        fallback: the limiter used while Redis fails; default an in-process
            :class:`wacr.RateLimiter` at the same limit.
        retry_interval: while Redis fails, how often (seconds) Redis is asked again.
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
        self._fallback_bounded = takes_max_wait(self._fallback)
        self._interval = 0 if self.per_minute is None else self._micros(self.per_minute)
        self._queues: dict[str, _Queue] = {}  # only while a caller of the key is in acquire()
        # The last X-RateLimit-Limit told to Redis, per key (the most recent MAX_IDLE_KEYS).
        self._limits: dict[str, int] = {}
        self._next_try = 0.0  # while Redis fails: when it is asked again
        self._probe: asyncio.Task[None] | None = None
        self._writes: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"RedisRateLimiter(per_minute={self.per_minute!r}, prefix={self.prefix!r})"

    def _micros(self, per_minute: float) -> int:
        """The spacing of calls at ``per_minute`` less the headroom, in microseconds."""
        return round(60_000_000 / (per_minute * (1.0 - self.headroom)))

    async def acquire(self, key: str, *, max_wait: float | None = None) -> None:
        """Wait for ``key``'s next slot across the fleet (or the fallback's while Redis fails);
        with ``max_wait`` (seconds), raise :class:`~wacr.RateLimitError` instead when that slot
        comes later."""
        deadline = math.inf if max_wait is None else time.monotonic() + max_wait
        if self._redis.down:
            await self._use_fallback(key, deadline)
            return
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = _Queue()
        queue.users += 1
        try:
            async with queue.lock:  # one reservation at a time per process: the others queue here, FIFO
                if not self._redis.down:  # else Redis failed while this caller queued
                    name = self.prefix + key
                    # Random per reservation: unique across the fleet, and across the children of a
                    # process that forked after making this limiter (a counter would repeat there).
                    rid = os.urandom(9).hex()
                    wait = await self._reserve(key, name, rid, deadline)
                    if wait is not None:
                        if wait > 0:
                            try:
                                await asyncio.sleep(wait / 1e6)
                            except asyncio.CancelledError:
                                self._spawn(self._give_back(name, rid))
                                raise
                        return
        finally:
            queue.users -= 1
            if queue.users == 0:
                del self._queues[key]
        await self._use_fallback(key, deadline)

    async def _reserve(self, key: str, name: str, rid: str, deadline: float) -> int | None:
        """Reserve ``key``'s next slot in Redis: the microseconds to wait for it, or ``None`` when
        Redis failed. A slot further off than ``deadline`` raises (nothing reserved)."""
        known = self._limits.get(key)  # this process's own news: pace by it at once
        interval = self._interval if known is None else max(self._interval, self._micros(known))
        limit = -1 if deadline == math.inf else max(0, math.floor((deadline - time.monotonic()) * 1e6))
        try:
            wait, state = await self._redis.script(ACQUIRE, 1, name, interval, _BUDGET_TTL_MS, rid, limit)
        except asyncio.CancelledError:  # the script may run all the same: give its slot back
            self._spawn(self._give_back(name, rid))
            raise
        except FAILURES as exc:
            self._spawn(self._give_back(name, rid))  # if it ran, only the reply was lost
            self._redis.failed(exc, "each process paces itself")
            self._next_try = time.monotonic() + self.retry_interval
            return None
        self._redis.works()
        if int(state) < 0:
            raise no_slot_in_time(int(wait) / 1e6, (deadline - time.monotonic()))
        return int(wait)

    async def _use_fallback(self, key: str, deadline: float) -> None:
        """The fallback's slot; start a check of Redis in the background when one is due."""
        probe, loop = self._probe, asyncio.get_running_loop()
        # A check left pending by a loop that closed never ends: it does not hold this one up.
        if time.monotonic() >= self._next_try and (
            probe is None or probe.done() or probe.get_loop() is not loop
        ):
            self._next_try = time.monotonic() + self.retry_interval
            self._probe = loop.create_task(self._check())
        if self._fallback_bounded and deadline != math.inf:
            max_wait = max(0.0, deadline - time.monotonic())
            await self._fallback.acquire(key, max_wait=max_wait)  # type: ignore[call-arg]
        else:
            await self._fallback.acquire(key)

    async def _check(self) -> None:
        """Ask a failing Redis whether it works again (one at a time, no caller waiting): with a
        write of a key that expires at once (``<prefix>probe``), since a Redis out of memory or
        read-only still answers a PING."""
        try:
            await self._redis.command("SET", self.prefix + "probe", "1", "PX", "1000")
        except FAILURES:
            self._next_try = time.monotonic() + self.retry_interval
        else:
            self._redis.works()
        finally:
            self._probe = None

    def observe(self, key: str, rate_limit: RateLimit) -> None:
        """Tell the fleet a new ``X-RateLimit-Limit``, or that the window has no calls left."""
        self._fallback.observe(key, rate_limit)
        until = hold_until(rate_limit)
        if rate_limit.limit <= 0 or (self._limits.get(key) == rate_limit.limit and until is None):
            return
        self._remember(key, rate_limit.limit)
        reset = 0 if rate_limit.reset is None else round(rate_limit.reset.timestamp() * 1e6)
        args = (
            self.prefix + key,
            self._micros(rate_limit.limit),
            max(0, rate_limit.limit - rate_limit.remaining),
            reset,
            "1" if until is not None else "0",
            _BUDGET_TTL_MS,
            _MAX_HOLD_US,
        )
        self._spawn(self._tell(key, args))

    def _remember(self, key: str, limit: int) -> None:
        limits = self._limits
        limits.pop(key, None)  # the most recent last
        limits[key] = limit
        if len(limits) > MAX_IDLE_KEYS:  # forget the oldest: Redis keeps the limit learned
            del limits[next(iter(limits))]

    def _spawn(self, write: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(write)
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _give_back(self, name: str, rid: str) -> None:
        try:
            await self._redis.script(GIVE_BACK, 1, name, rid, _BUDGET_TTL_MS)
        except FAILURES as exc:
            self._redis.failed(exc, "each process paces itself")

    async def _tell(self, key: str, args: tuple[object, ...]) -> None:
        try:
            await self._redis.script(OBSERVE, 1, *args)
        except FAILURES as exc:
            self._limits.pop(key, None)  # tell it again with the next answer
            self._redis.failed(exc, "each process paces itself")

    async def aclose(self) -> None:
        """Wait for the writes to Redis still under way, and a check of it (each bounded by
        ``timeout``)."""
        loop = asyncio.get_running_loop()
        while True:
            # Tasks of a loop that closed cannot be awaited from this one (nor will they end).
            pending = [t for t in (*self._writes, self._probe) if t is not None and t.get_loop() is loop]
            if not pending:
                break
            await asyncio.gather(*pending, return_exceptions=True)
