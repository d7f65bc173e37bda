"""Pacing calls to the API's per-token budget: the protocol the request pipeline calls.

The transport calls :meth:`Limiter.acquire` before every attempt (a retry spends a slot too) and
:meth:`Limiter.observe` with the ``X-RateLimit-*`` figures of every answer that carries them. The
key names one budget (one token on one host) without holding the token: the transport derives it
from a hash of the base URL and the token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from wacr._response import RateLimit

__all__ = ["Limiter"]


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
