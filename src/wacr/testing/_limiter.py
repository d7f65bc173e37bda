"""The fixed-window rate limiter behind the OTP limits and the per-token limit."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

__all__ = ["Limiter"]


class _Window:
    __slots__ = ("count", "reset_at")

    def __init__(self, reset_at: datetime) -> None:
        self.count = 0
        self.reset_at = reset_at


class Limiter:
    """A fixed-window limiter like Laravel's: the window opens at the first hit of a key."""

    __slots__ = ("_hits", "decay", "max_attempts")

    def __init__(self, max_attempts: int, decay_seconds: float) -> None:
        self.max_attempts = max_attempts
        self.decay = timedelta(seconds=decay_seconds)
        self._hits: dict[Any, _Window] = {}

    def retry_after(self, key: Any, now: datetime) -> int | None:
        """Whole seconds until the key may try again, or ``None`` when it is under the limit."""
        window = self._hits.get(key)
        if window is None:
            return None
        if now >= window.reset_at:
            del self._hits[key]
            return None
        if window.count < self.max_attempts:
            return None
        return max(1, math.ceil((window.reset_at - now).total_seconds()))

    def hit(self, key: Any, now: datetime) -> int:
        """Count one attempt; returns the attempts left in the window."""
        window = self._hits.get(key)
        if window is None or now >= window.reset_at:
            if len(self._hits) > 10_000:
                self._prune(now)
            window = self._hits[key] = _Window(now + self.decay)
        window.count += 1
        return max(0, self.max_attempts - window.count)

    def peek(self, key: Any, now: datetime) -> tuple[int, datetime]:
        """(attempts left, when the window starts again) without counting anything; with no open
        window the next hit would open one ending ``decay`` from now."""
        window = self._hits.get(key)
        if window is None or now >= window.reset_at:
            return self.max_attempts, now + self.decay
        return max(0, self.max_attempts - window.count), window.reset_at

    def clear(self, key: Any) -> None:
        """Forget a key (a successful OTP verification clears its limiter)."""
        self._hits.pop(key, None)

    def _prune(self, now: datetime) -> None:
        for key in [k for k, window in self._hits.items() if now >= window.reset_at]:
            del self._hits[key]
