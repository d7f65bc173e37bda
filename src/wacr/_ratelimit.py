"""Pacing calls to the API's per-token budget: the protocol the request pipeline calls, and the
in-process limiter.

The transport calls :meth:`Limiter.acquire` before every attempt (a retry spends a slot too) and
:meth:`Limiter.observe` with the ``X-RateLimit-*`` figures of every answer that carries them. The
key names one budget (one token on one host) without holding the token: the transport derives it
from a hash of the base URL and the token.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from typing import TYPE_CHECKING, Final, Protocol, runtime_checkable

from wacr.errors import ConfigurationError

if TYPE_CHECKING:
    from wacr._response import RateLimit

__all__ = ["Limiter", "RateLimiter", "check_per_minute", "hold_until"]

# How many idle budgets RateLimiter keeps before it forgets the ones whose pacing has lapsed.
_MAX_IDLE_KEYS: Final = 1024


@runtime_checkable
class Limiter(Protocol):
    """What ``Client(rate_limit=...)`` accepts: :class:`wacr.RateLimiter`, ``wacr.redis.RedisRateLimiter``,
    or any object with these two methods."""

    async def acquire(self, key: str) -> None:
        """Wait until one more call on budget ``key`` fits; the caller bounds the wait (the call's
        timeout) and may cancel it."""
        ...

    def observe(self, key: str, rate_limit: RateLimit) -> None:
        """Learn from the ``X-RateLimit-*`` figures of an answer on budget ``key``."""
        ...


def check_per_minute(value: object, field: str = "per_minute") -> float:
    """``value`` as a float if it is a finite number > 0, else a :class:`~wacr.errors.ConfigurationError`
    naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError(f"{field} must be a positive number of calls per minute, not {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ConfigurationError(f"{field} must be a positive number of calls per minute, not {value!r}")
    return float(value)


def hold_until(rate_limit: RateLimit) -> float | None:
    """The Unix time before which the server allows no more calls, from an answer that says none
    are left in its window (``remaining == 0`` and a ``reset``); else ``None``."""
    if rate_limit.remaining > 0 or rate_limit.reset is None:
        return None
    return rate_limit.reset.timestamp()


class _Budget:
    """The pacing of one key: the GCRA's theoretical arrival time and the callers queued for it."""

    __slots__ = ("interval", "tat", "waiters")

    def __init__(self, interval: float) -> None:
        self.interval = interval
        # The monotonic time at which the next call may go (GCRA with no burst above one call).
        self.tat = 0.0
        self.waiters: deque[asyncio.Future[None]] = deque()


class RateLimiter:
    """The in-process limiter: at most ``per_minute`` calls a minute on each budget, evenly spaced.

    A GCRA with a burst of one: calls on one key go at least ``60 / per_minute`` seconds apart,
    so that no 60-second span, however it lines up with the server's window, holds more than
    ``per_minute`` of them. Waiting callers are served in arrival order; a caller cancelled (or
    timed out) while it waits takes no slot. It learns from the answers' ``X-RateLimit-*``
    headers: a lower ``X-RateLimit-Limit`` than ``per_minute`` becomes the key's pace, and an
    answer saying no calls are left holds the key until the window's reset.

    It paces one process: for several processes on one token use ``wacr.redis.RedisRateLimiter``.
    """

    def __init__(self, per_minute: float) -> None:
        #: The configured ceiling, calls per minute.
        self.per_minute: float = check_per_minute(per_minute)
        self._budgets: dict[str, _Budget] = {}

    def __repr__(self) -> str:
        return f"RateLimiter(per_minute={self.per_minute:g})"

    def _budget(self, key: str) -> _Budget:
        budget = self._budgets.get(key)
        if budget is None:
            if len(self._budgets) >= _MAX_IDLE_KEYS:
                self._forget_idle()
            budget = self._budgets[key] = _Budget(60.0 / self.per_minute)
        return budget

    def _forget_idle(self) -> None:
        now = time.monotonic()
        for key in [k for k, b in self._budgets.items() if not b.waiters and b.tat <= now]:
            del self._budgets[key]

    async def acquire(self, key: str) -> None:
        """Wait for the next slot of ``key``, behind every caller already waiting for it."""
        budget = self._budget(key)
        now = time.monotonic()
        if not budget.waiters and budget.tat <= now:
            budget.tat = now + budget.interval
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        budget.waiters.append(turn)
        try:
            if budget.waiters[0] is not turn:
                await turn
            # At the head of the queue: sleep until the slot; observe() may push it later.
            while (delay := budget.tat - time.monotonic()) > 0:
                await asyncio.sleep(delay)
            budget.tat = max(budget.tat, time.monotonic()) + budget.interval
        finally:
            head = budget.waiters[0] is turn
            budget.waiters.remove(turn)
            if head and budget.waiters:
                nxt = budget.waiters[0]
                if not nxt.done():
                    nxt.set_result(None)

    def observe(self, key: str, rate_limit: RateLimit) -> None:
        """Take a lower ``limit`` as the key's pace; hold the key until ``reset`` when
        ``remaining`` is 0."""
        budget = self._budget(key)
        if 0 < rate_limit.limit < 60.0 / budget.interval:
            slower = 60.0 / rate_limit.limit
            budget.tat += slower - budget.interval
            budget.interval = slower
        until = hold_until(rate_limit)
        if until is not None:
            budget.tat = max(budget.tat, time.monotonic() + (until - time.time()))
