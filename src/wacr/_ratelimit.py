"""Pacing calls to the API's per-token budget: the protocol the request pipeline calls, and the
in-process limiter.

The transport calls :meth:`Limiter.acquire` before every attempt (a retry spends a slot too) and
:meth:`Limiter.observe` with the ``X-RateLimit-*`` figures of every answer that carries them. The
key names one budget (one token on one host) without holding the token: the transport derives it
from a hash of the base URL and the token.

Two bounds keep one odd answer from stalling the calls (docs/guides/fleet.md, "How long a call
waits"): an answer saying no calls are left holds a budget until its ``X-RateLimit-Reset`` but
never more than :data:`MAX_HOLD` seconds (the API's window is a minute: a reset further off is
clock skew or a proxy's doing, and a 429 still corrects a hold that proves too short); and a
limiter whose ``acquire`` takes ``max_wait`` (both of wacr's do) raises :class:`~wacr.RateLimitError`
at once, nothing sent, when the budget's next free slot is later than that, instead of sleeping
out the call's timeout.
"""

from __future__ import annotations

import asyncio
import inspect
import math
import time
from collections import deque
from typing import TYPE_CHECKING, Final, Protocol, runtime_checkable

from wacr.errors import ConfigurationError, RateLimitError

if TYPE_CHECKING:
    from wacr._response import RateLimit

__all__ = [
    "MAX_HOLD",
    "MAX_IDLE_KEYS",
    "Limiter",
    "RateLimiter",
    "check_per_minute",
    "hold_until",
    "no_slot_in_time",
    "takes_max_wait",
]

#: How many idle budgets a limiter keeps before it forgets the ones no caller uses.
MAX_IDLE_KEYS: Final = 1024
#: The longest (seconds) one answer saying no calls are left holds a budget: the API's window.
MAX_HOLD: Final = 60.0


@runtime_checkable
class Limiter(Protocol):
    """What ``Client(rate_limit=...)`` accepts: :class:`wacr.RateLimiter`, ``wacr.redis.RedisRateLimiter``,
    or any object with these two methods."""

    async def acquire(self, key: str) -> None:
        """Wait until one more call on budget ``key`` fits; the caller bounds the wait (the call's
        timeout) and may cancel it.

        When the method also takes a keyword ``max_wait`` (seconds), the transport passes what
        the attempt may wait, and the limiter may raise :class:`~wacr.RateLimitError` (see
        :func:`no_slot_in_time`) as soon as it knows its slot comes later than that."""
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
    are left in its window (``remaining == 0`` and a ``reset``), at most :data:`MAX_HOLD` seconds
    from now; else ``None``."""
    if rate_limit.remaining > 0 or rate_limit.reset is None:
        return None
    return min(rate_limit.reset.timestamp(), time.time() + MAX_HOLD)


def takes_max_wait(limiter: object) -> bool:
    """Whether ``limiter.acquire`` takes the keyword ``max_wait`` (wacr's limiters do)."""
    acquire = getattr(limiter, "acquire", None)
    if not callable(acquire):
        return False
    try:
        parameter = inspect.signature(acquire).parameters.get("max_wait")
    except (TypeError, ValueError):  # no signature to read (a builtin)
        return False
    return parameter is not None and parameter.kind in (
        parameter.KEYWORD_ONLY,
        parameter.POSITIONAL_OR_KEYWORD,
    )


def no_slot_in_time(wait: float, max_wait: float) -> RateLimitError:
    """What a limiter raises when the budget's next free slot is ``wait`` seconds away, more than
    the ``max_wait`` its caller can wait: a :class:`~wacr.RateLimitError` with no status (nothing
    was sent) and ``retry_after`` that wait, rounded up to the millisecond."""
    retry_after = math.ceil(max(wait, 0.0) * 1000) / 1000
    return RateLimitError(
        f"the rate limiter has no slot for this call within the {max(max_wait, 0.0):.3g} s it can wait "
        f"(the next is {retry_after:.3g} s away): nothing was sent",
        retry_after=retry_after,
    )


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

    A hold lasts at most :data:`MAX_HOLD` (60) seconds whatever the reset says, and a caller
    given ``max_wait`` raises :class:`~wacr.RateLimitError` (``retry_after`` set, nothing sent) as
    soon as the key's next free slot is known to come later than that: on arrival, and again
    when its turn comes. It forgets idle keys beyond :data:`MAX_IDLE_KEYS`.

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
            if len(self._budgets) >= MAX_IDLE_KEYS:
                self._forget_idle()
            budget = self._budgets[key] = _Budget(60.0 / self.per_minute)
        return budget

    def _forget_idle(self) -> None:
        now = time.monotonic()
        for key in [k for k, b in self._budgets.items() if not b.waiters and b.tat <= now]:
            del self._budgets[key]

    async def acquire(self, key: str, *, max_wait: float | None = None) -> None:
        """Wait for the next slot of ``key``, behind every caller already waiting for it; with
        ``max_wait`` (seconds), raise :class:`~wacr.RateLimitError` instead once that slot is
        known to come later."""
        budget = self._budget(key)
        now = time.monotonic()
        if not budget.waiters and budget.tat <= now:
            budget.tat = now + budget.interval
            return
        deadline = math.inf if max_wait is None else now + max_wait
        if budget.tat > deadline:  # no slot before then, whoever is queued
            raise no_slot_in_time(budget.tat - now, deadline - now)
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        budget.waiters.append(turn)
        try:
            if budget.waiters[0] is not turn:
                await turn
            # At the head of the queue: sleep until the slot; observe() may push it later.
            while (delay := budget.tat - time.monotonic()) > 0:
                if budget.tat > deadline:
                    raise no_slot_in_time(delay, deadline - time.monotonic())
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
        """Take a lower ``limit`` as the key's pace; hold the key until ``reset`` (at most
        :data:`MAX_HOLD` seconds) when ``remaining`` is 0."""
        budget = self._budget(key)
        if 0 < rate_limit.limit < 60.0 / budget.interval:
            slower = 60.0 / rate_limit.limit
            budget.tat += slower - budget.interval
            budget.interval = slower
        until = hold_until(rate_limit)
        if until is not None:
            budget.tat = max(budget.tat, time.monotonic() + (until - time.time()))
