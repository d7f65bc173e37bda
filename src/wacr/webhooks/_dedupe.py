"""Remembering which webhook events ran: the protocol the router calls.

The router claims an event id before it runs the event's handlers. A claim that fails means the id
ran, or is running now, elsewhere: the event is acknowledged and its handlers are not run. When the
handlers finish the id is marked done; when one fails the claim is released, so that the platform's
redelivery runs them again (at-least-once, and never the same id twice at the same time).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["DedupeStore"]


@runtime_checkable
class DedupeStore(Protocol):
    """What ``Router(dedupe=...)`` accepts: the in-memory store (the default),
    ``wacr.redis.RedisDedupe``, or any object with these three methods."""

    async def claim(self, event_id: str) -> bool:
        """Take ``event_id``: True if this caller should run its handlers, False if it is done
        or being run elsewhere."""
        ...

    async def complete(self, event_id: str) -> None:
        """The handlers of ``event_id`` finished: remember it as done."""
        ...

    async def release(self, event_id: str) -> None:
        """A handler of ``event_id`` failed: forget the claim so that a redelivery runs again."""
        ...
