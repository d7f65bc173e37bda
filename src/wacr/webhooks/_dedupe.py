"""Remembering which webhook events ran: the protocol the router calls, and the in-memory store.

The router claims an event id before it runs the event's handlers. A claim that fails means the id
ran, or is running now, elsewhere: the event is acknowledged and its handlers are not run. When the
handlers finish the id is marked done; when one fails the claim is released, so that the platform's
redelivery runs them again (at-least-once, and never the same id twice at the same time).

A store may raise: the router then runs the event anyway and logs (duplicates possible, never a
lost event), so a store needs no fallback of its own. It should bound the time of its calls.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import OrderedDict
from typing import Final, Protocol, runtime_checkable

__all__ = ["DEFAULT_MAX_EVENT_IDS", "DedupeStore", "MemoryDedupe"]

#: How many recent event ids :class:`MemoryDedupe` remembers by default.
DEFAULT_MAX_EVENT_IDS: Final = 10_000

# The size of the digest an event id is remembered by.
_DIGEST_SIZE: Final = 16


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


class MemoryDedupe:
    """The default :class:`DedupeStore`: the last ``max_event_ids`` ids of one process.

    Ids are kept as 16-byte keyed BLAKE2b digests, never the ids themselves, so the memory is
    bounded by the count whatever the ids' length (about 170 bytes per id, under 2 MiB at the
    default of 10,000). Claimed and completed ids share one LRU: a repeat refreshes an id, and an
    id older than the last ``max_event_ids`` distinct ones is forgotten (a redelivery of it then
    runs again). An id is only forgotten while its handlers still run if more than
    ``max_event_ids`` events are in flight at once; the router still never runs it twice at once
    (it knows the ids whose handlers run, at most its ``max_pending``).

    The ``*_now`` methods are the same operations without an ``await``: :meth:`Router.dispatch`
    uses them.
    """

    def __init__(self, max_event_ids: int = DEFAULT_MAX_EVENT_IDS) -> None:
        if isinstance(max_event_ids, bool) or not isinstance(max_event_ids, int) or max_event_ids < 1:
            raise ValueError(f"max_event_ids must be a positive integer, not {max_event_ids!r}")
        self.max_event_ids: int = max_event_ids
        # Digest -> done? (False while the handlers run.)
        self._ids: OrderedDict[bytes, bool] = OrderedDict()
        # Keyed per store: ids chosen to collide cannot be worked out in advance.
        self._key = secrets.token_bytes(16)

    def __len__(self) -> int:
        return len(self._ids)

    def _digest(self, event_id: str) -> bytes:
        raw = event_id.encode("utf-8", "surrogatepass")
        return hashlib.blake2b(raw, digest_size=_DIGEST_SIZE, key=self._key).digest()

    def claim_now(self, event_id: str) -> bool:
        """:meth:`claim` without an ``await``."""
        key = self._digest(event_id)
        ids = self._ids
        if key in ids:
            ids.move_to_end(key)
            return False
        ids[key] = False
        if len(ids) > self.max_event_ids:
            ids.popitem(last=False)
        return True

    def complete_now(self, event_id: str) -> None:
        """:meth:`complete` without an ``await``."""
        key = self._digest(event_id)
        if key in self._ids:  # else forgotten meanwhile: it stays forgotten
            self._ids[key] = True

    def release_now(self, event_id: str) -> None:
        """:meth:`release` without an ``await``."""
        self._ids.pop(self._digest(event_id), None)

    async def claim(self, event_id: str) -> bool:
        """True unless ``event_id`` is remembered (done or running); remembers it as running."""
        return self.claim_now(event_id)

    async def complete(self, event_id: str) -> None:
        """Remember ``event_id`` as done."""
        self.complete_now(event_id)

    async def release(self, event_id: str) -> None:
        """Forget ``event_id``."""
        self.release_now(event_id)
