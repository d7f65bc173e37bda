"""Running one event's handlers under a claim of its id: the router's side of the
:class:`~wacr.webhooks.DedupeStore` protocol, with the policy for a store that fails."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from wacr.models import WebhookPayload
from wacr.webhooks._dedupe import DedupeStore

__all__ = ["Claims", "Load", "Route", "Run", "finish_run", "run_handler", "short"]

_log = logging.getLogger("wacr.webhooks")


@dataclass(frozen=True)
class Route:
    """One registration: the event types it matches, the handler, whether it is async, the predicate."""

    regex: re.Pattern[str]
    handler: Callable[[Any], object]
    is_async: bool
    when: Callable[[Any], object] | None


class Run:
    """One event's handler tasks: the last one to end completes the claim, or releases it, then
    calls ``ended`` (the router's count of events running)."""

    __slots__ = ("ended", "failed", "left")

    def __init__(self, left: int, ended: Callable[[], object] = lambda: None) -> None:
        self.left = left
        self.failed = False
        self.ended = ended


class Load:
    """The router's ``max_pending`` bound: the ids whose handlers run now, and the deliveries
    past the busy check not started yet (so that concurrent ones cannot pass it together)."""

    def __init__(self) -> None:
        self.running: set[str] = set()
        self._admitted = 0

    def busy(self, limit: int) -> bool:
        return len(self.running) + self._admitted >= limit

    @contextlib.contextmanager
    def admitting(self) -> Iterator[None]:
        """A delivery past the busy check, until it is started (or found a duplicate)."""
        self._admitted += 1
        try:
            yield
        finally:
            self._admitted -= 1


class Claims:
    """Calls to a store that never lose an event: a store that raises (or answers other than a
    bool) is logged, at WARNING once until it works again, and the event runs."""

    def __init__(self, store: DedupeStore) -> None:
        self.store = store
        self._failing = False

    async def claim(self, event: WebhookPayload) -> bool:
        """Whether to run ``event``'s handlers: the store's claim, or True if the store failed."""
        try:
            claimed = await self.store.claim(event.event.id)
            if not isinstance(claimed, bool):
                raise TypeError(f"claim() returned {type(claimed).__name__}, not bool")
        except Exception as exc:
            self._failed("claim", event, exc)
            return True  # never a lost event: run it, a duplicate is possible
        self._works()
        return claimed

    async def finish(self, event: WebhookPayload, *, ok: bool) -> None:
        """Complete the claim after the handlers succeeded, release it after one failed."""
        try:
            if ok:
                await self.store.complete(event.event.id)
            else:
                await self.store.release(event.event.id)
        except Exception as exc:
            self._failed("complete" if ok else "release", event, exc)
        else:
            self._works()

    def _failed(self, call: str, event: WebhookPayload, exc: Exception) -> None:
        level = logging.DEBUG if self._failing else logging.WARNING
        self._failing = True
        _log.log(
            level,
            "the webhook dedupe store failed on %s(%s) (%s: %s); events run without de-duplication "
            "(duplicates possible) until it works again",
            call,
            short(event.event.id),
            type(exc).__name__,
            exc,
        )

    def _works(self) -> None:
        if self._failing:
            self._failing = False
            _log.warning("the webhook dedupe store works again; de-duplication resumed")


async def run_handler(route: Route, event: WebhookPayload, run: Run, claims: Claims) -> None:
    """Run one matching handler (after its predicate); the last of ``run`` to end finishes the claim."""
    ok = False
    try:
        if route.when is not None:
            chosen = route.when(event)
            if inspect.isawaitable(chosen):
                chosen = await chosen
            if not chosen:
                ok = True
                return
        if route.is_async:
            await route.handler(event)  # type: ignore[misc]
        else:
            # A plain function may block: a worker thread (with the context copied) keeps the loop free.
            result = await asyncio.to_thread(route.handler, event)
            if inspect.isawaitable(result):
                await result
        ok = True
    except Exception:
        name = getattr(route.handler, "__qualname__", None) or repr(route.handler)
        _log.exception(
            "webhook handler %s failed on event %s (%s)", name, short(event.event.id), short(event.event.type)
        )
    finally:
        # Also when cancelled: a cancelled handler releases the claim like a failed one.
        run.left -= 1
        run.failed = run.failed or not ok
        if run.left == 0:
            await finish_run(event, run, claims)


async def finish_run(event: WebhookPayload, run: Run, claims: Claims) -> None:
    """Complete (or release) the claim of ``run``'s event, then say it ended."""
    try:
        await claims.finish(event, ok=not run.failed)
    finally:
        run.ended()


def short(text: str, limit: int = 80) -> str:
    """``text`` cut for a log line: ids and types come from the sender and may be huge."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text)} characters)"
