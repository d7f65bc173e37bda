"""Webhook delivery: the registered URLs, the delivery log, and the dispatcher that posts events.

After answering a request the app hands the events the handlers recorded (see
:mod:`wacr.testing._events`) to the :class:`WebhookDispatcher`, which posts them from background
tasks on the server's event loop with its own aiohttp session: in order per webhook, signed when
the webhook has a secret, retried with a short backoff.

This module writes its own payloads and signatures: it shares no code with :mod:`wacr.webhooks`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Final

import aiohttp
import orjson

__all__ = ["Delivery", "Webhook", "WebhookDispatcher"]

# Statuses worth another attempt: the receiver may recover; any other 4xx is a final answer.
_RETRY_STATUSES: Final = frozenset({408, 425, 429})


# --- registrations and the delivery log ------------------------------------------------------


@dataclass
class Webhook:
    """A URL registered for one tenant's events (:meth:`Emulator.add_webhook`).

    ``events`` holds shell-style patterns (``"contact.*"``); ``None`` means every event.
    """

    id: int
    url: str
    tenant_id: int
    events: tuple[str, ...] | None = None
    secret: str | None = field(default=None, repr=False)

    def matches(self, event_type: str, tenant_id: int) -> bool:
        """Whether this webhook wants an event of ``event_type`` from ``tenant_id``."""
        if tenant_id != self.tenant_id:
            return False
        return self.events is None or any(fnmatchcase(event_type, p) for p in self.events)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the secret is never echoed; ``signed`` says whether there is one)."""
        return {
            "id": self.id,
            "url": self.url,
            "tenant_id": self.tenant_id,
            "events": None if self.events is None else list(self.events),
            "signed": self.secret is not None,
        }


@dataclass
class Delivery:
    """One event posted (or being posted) to one webhook: an entry of :attr:`Emulator.deliveries`.

    ``state`` is ``"pending"``, ``"delivered"`` (a 2xx answer), ``"failed"`` (attempts used up,
    or a 4xx that retrying cannot fix) or ``"cancelled"`` (the emulator stopped first);
    ``status`` is the HTTP status of the last attempt (``None`` when it got no answer) and
    ``error`` what went wrong with it. ``body`` and ``headers`` are exactly what was sent.
    """

    webhook_id: int
    url: str
    event_id: str
    event_type: str
    body: bytes = field(repr=False)
    headers: dict[str, str] = field(repr=False)
    state: str = "pending"
    attempts: int = 0
    status: int | None = None
    error: str | None = None

    @property
    def payload(self) -> dict[str, Any]:
        """The JSON body, decoded."""
        data: dict[str, Any] = orjson.loads(self.body)
        return data

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict, with the payload decoded."""
        return {
            "webhook_id": self.webhook_id,
            "url": self.url,
            "event_id": self.event_id,
            "event_type": self.event_type,
            "state": self.state,
            "attempts": self.attempts,
            "status": self.status,
            "error": self.error,
            "payload": self.payload,
        }


def _signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookDispatcher:
    """Registered webhooks, the delivery log and the background senders of one emulator.

    Registration and the log are thread-safe; sending happens on the event loop that serves the
    API (the one :meth:`publish` is called on).

    Args:
        max_attempts: tries per delivery (connection errors, timeouts, 5xx, 408, 425 and 429 are
            retried).
        retry_delay: seconds before the second try; doubled before each later one.
        timeout: seconds one attempt may take.
        max_log: how many deliveries :attr:`deliveries` keeps.
    """

    def __init__(
        self, *, max_attempts: int = 3, retry_delay: float = 0.05, timeout: float = 5.0, max_log: int = 10_000
    ) -> None:
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self.timeout = timeout
        self._lock = threading.Lock()
        self._hooks: dict[int, Webhook] = {}
        self._next_id = 1
        self._log: deque[Delivery] = deque(maxlen=max_log)
        self._queues: dict[int, deque[Delivery]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._retired: set[asyncio.Task[None]] = set()  # cancelled by clear(), maybe not finished yet
        self._loop: asyncio.AbstractEventLoop | None = None
        self._session: aiohttp.ClientSession | None = None

    # -- registrations -----------------------------------------------------------------------
    def add(
        self,
        url: str,
        *,
        secret: str | None = None,
        events: Iterable[str] | str | None = None,
        tenant_id: int = 1,
    ) -> Webhook:
        """Register ``url`` for ``tenant_id``'s events (all, or those matching ``events``)."""
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"a webhook url must be an http(s) URL, got {url!r}")
        if secret is not None and (not isinstance(secret, str) or not secret):
            raise ValueError("a webhook secret must be a non-empty string")
        patterns: tuple[str, ...] | None = None
        if events is not None:
            patterns = (events,) if isinstance(events, str) else tuple(events)
            if not patterns or not all(isinstance(p, str) and p for p in patterns):
                raise ValueError("events must be a non-empty list of event patterns such as 'contact.*'")
        with self._lock:
            hook = Webhook(self._next_id, url, tenant_id, patterns, secret)
            self._next_id += 1
            self._hooks[hook.id] = hook
            return hook

    def remove(self, webhook_id: int) -> None:
        """Unregister one webhook: its queued deliveries and the one being sent are cancelled."""
        with self._lock:
            if self._hooks.pop(webhook_id, None) is None:
                raise KeyError(f"no webhook {webhook_id}")
            workers = self._retire([webhook_id])
        self._cancel(workers)

    def clear(self) -> None:
        """Unregister every webhook, cancel what is queued or being sent, and empty the log.

        The senders are cancelled on their event loop (safe from any thread); they are forgotten
        at once, so a later :meth:`flush` waits only for deliveries published after this call.
        """
        with self._lock:
            self._hooks.clear()
            workers = self._retire(list({*self._queues, *self._workers}))
            self._log.clear()
        self._cancel(workers)

    def _retire(self, webhook_ids: list[int]) -> list[asyncio.Task[None]]:
        # Under the lock: mark what these webhooks still had queued cancelled and take their senders.
        workers = []
        for webhook_id in webhook_ids:
            for delivery in self._queues.pop(webhook_id, ()):
                delivery.state = "cancelled"
            worker = self._workers.pop(webhook_id, None)
            if worker is not None:
                workers.append(worker)
        self._retired.update(workers)
        return workers

    def _cancel(self, workers: list[asyncio.Task[None]]) -> None:
        # The senders run on the serving loop: cancel them there (at once when we are on it).
        loop = self._loop
        if not workers or loop is None or loop.is_closed():
            return
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        for task in workers:
            if running is loop:
                task.cancel()
            else:
                with contextlib.suppress(RuntimeError):  # the loop closed in between: nothing runs
                    loop.call_soon_threadsafe(task.cancel)

    @property
    def webhooks(self) -> list[Webhook]:
        """The registered webhooks (a copy)."""
        with self._lock:
            return list(self._hooks.values())

    @property
    def deliveries(self) -> list[Delivery]:
        """Every delivery, oldest first (a copy of the log)."""
        with self._lock:
            return list(self._log)

    # -- sending -------------------------------------------------------------------------------
    def publish(self, events: list[dict[str, Any]], request_id: str) -> None:
        """Queue ``events`` (recorded while answering ``request_id``) for the matching webhooks.

        Called on the serving event loop; returns at once.
        """
        loop = asyncio.get_running_loop()
        with self._lock:
            for event in events:
                event["metadata"]["request_id"] = request_id
                body = orjson.dumps(event)
                header = event["event"]
                for hook in self._hooks.values():
                    if not hook.matches(header["type"], event["tenant"]["id"]):
                        continue
                    headers = {"Content-Type": "application/json", "User-Agent": "wacr-emulator"}
                    if hook.secret is not None:
                        headers["X-Signature"] = _signature(body, hook.secret)
                    delivery = Delivery(hook.id, hook.url, header["id"], header["type"], body, headers)
                    self._log.append(delivery)
                    self._queues.setdefault(hook.id, deque()).append(delivery)
                    if hook.id not in self._workers:
                        self._loop = loop
                        self._workers[hook.id] = loop.create_task(self._work(hook.id))

    async def _work(self, webhook_id: int) -> None:
        # One sender per webhook: its events arrive in the order they happened.
        try:
            while True:
                with self._lock:
                    queue = self._queues.get(webhook_id)
                    if not queue:
                        return
                    delivery = queue.popleft()
                await self._send(delivery)
        finally:
            with self._lock:
                task = asyncio.current_task()
                if self._workers.get(webhook_id) is task:
                    del self._workers[webhook_id]
                if task is not None:
                    self._retired.discard(task)

    async def _send(self, delivery: Delivery) -> None:
        session = self._session
        if session is None or session.closed:
            session = self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        try:
            for attempt in range(1, self.max_attempts + 1):
                delivery.attempts = attempt
                retry = True
                try:
                    async with session.post(
                        delivery.url, data=delivery.body, headers=delivery.headers
                    ) as reply:
                        await reply.read()
                    delivery.status = reply.status
                    if 200 <= reply.status < 300:
                        delivery.state, delivery.error = "delivered", None
                        return
                    delivery.error = f"HTTP {reply.status}"
                    retry = reply.status >= 500 or reply.status in _RETRY_STATUSES
                except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                    delivery.status = None
                    delivery.error = f"{type(exc).__name__}: {exc}".rstrip(": ")
                if not retry or attempt == self.max_attempts:
                    break
                await asyncio.sleep(self.retry_delay * 2 ** (attempt - 1))
            delivery.state = "failed"
        except asyncio.CancelledError:
            delivery.state = "cancelled"
            raise

    async def flush(self, timeout: float | None = 10.0) -> None:
        """Wait until every queued delivery is done (delivered or failed); from any event loop.

        Raises ``TimeoutError`` (``asyncio.TimeoutError`` on Python 3.10) after ``timeout`` seconds.
        """
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            current: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:  # pragma: no cover - flush is a coroutine: there is always a loop
            current = None
        if current is loop:
            await asyncio.wait_for(self._idle(), timeout)
        else:
            # The senders live on the emulator's thread loop: wait there.
            future = asyncio.run_coroutine_threadsafe(self._idle(), loop)
            await asyncio.wait_for(asyncio.wrap_future(future), timeout)

    async def _idle(self) -> None:
        while True:
            with self._lock:
                workers = [task for task in self._workers.values() if not task.done()]
            if not workers:
                return
            await asyncio.wait(workers)

    async def close(self) -> None:
        """Cancel what is still queued or being sent and close the session (server cleanup)."""
        with self._lock:
            workers = [*self._workers.values(), *self._retired]
            for queue in self._queues.values():
                for delivery in queue:
                    delivery.state = "cancelled"
            self._queues.clear()
        for task in workers:
            task.cancel()
        if workers:
            await asyncio.gather(*workers, return_exceptions=True)
        session, self._session = self._session, None
        if session is not None:
            await session.close()
