"""The emulator's injectable clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

__all__ = ["Clock", "isoformat", "parse_datetime"]


def _aware(when: datetime) -> datetime:
    # A naive datetime is taken as UTC: the API speaks UTC only.
    if when.tzinfo is None:
        return when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def isoformat(when: datetime) -> str:
    """Format like the API: ISO 8601, ``+00:00`` offset, no fractional seconds."""
    return when.replace(microsecond=0).isoformat()


def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 date or datetime (``Z`` accepted); naive values are UTC."""
    text = text.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    return _aware(datetime.fromisoformat(text))


class Clock:
    """The time source of an :class:`~wacr.testing.Emulator`.

    It follows the real UTC time until :meth:`set` freezes it at a given instant; :meth:`advance`
    moves it forward whether it is frozen or running, and :meth:`resume` lets a frozen clock run
    again from its current reading. OTP expiry, the rate-limit windows and every timestamp the
    emulator writes read this clock.

    ``Clock(start)`` creates a clock frozen at ``start``; :meth:`reset` returns to that initial
    state (the emulator's ``reset()`` calls it).
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._start = None if start is None else _aware(start)
        self._offset = timedelta(0)
        self._frozen: datetime | None = self._start

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        frozen = self._frozen
        if frozen is not None:
            return frozen
        return datetime.now(timezone.utc) + self._offset

    @property
    def frozen(self) -> bool:
        """Whether the clock stands still (after :meth:`set`)."""
        return self._frozen is not None

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by ``seconds`` (negative moves it back); returns the new time."""
        delta = timedelta(seconds=seconds)
        if self._frozen is not None:
            self._frozen += delta
        else:
            self._offset += delta
        return self.now()

    def set(self, when: datetime) -> None:
        """Freeze the clock at ``when`` (a naive datetime is taken as UTC)."""
        self._frozen = _aware(when)

    def resume(self) -> None:
        """Let a frozen clock run again, starting from its current reading."""
        if self._frozen is not None:
            self._offset = self._frozen - datetime.now(timezone.utc)
            self._frozen = None

    def reset(self) -> None:
        """Return to the initial state: real time, or frozen at the ``start`` given at creation."""
        self._offset = timedelta(0)
        self._frozen = self._start

    def __repr__(self) -> str:
        state = "frozen" if self.frozen else "running"
        return f"Clock({isoformat(self.now())}, {state})"
