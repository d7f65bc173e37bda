"""The router: handlers registered by event type, de-duplication by event id, handler tasks.

It knows no web framework: :meth:`Router.handler` and :meth:`Router.setup` serve it over
aiohttp through :mod:`wacr.webhooks._aiohttp`, and :meth:`Router.dispatch` serves any other.
"""

from __future__ import annotations

import asyncio
import fnmatch
import hashlib
import inspect
import logging
import re
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final, TypeVar

from wacr.models import WebhookPayload
from wacr.webhooks._signatures import SIGNATURE_HEADER

if TYPE_CHECKING:
    from aiohttp import web

__all__ = ["DEFAULT_MAX_BODY_SIZE", "DEFAULT_MAX_EVENT_IDS", "DEFAULT_READ_TIMEOUT", "Router"]

#: The largest body :class:`Router` accepts by default (1 MiB); larger ones get 413.
DEFAULT_MAX_BODY_SIZE: Final = 1024 * 1024
#: Seconds :class:`Router` allows for reading a body by default; a slower one gets 408.
DEFAULT_READ_TIMEOUT: Final = 10.0
#: How many recent event ids :class:`Router` remembers by default for de-duplication.
DEFAULT_MAX_EVENT_IDS: Final = 10_000

_log = logging.getLogger("wacr.webhooks")

# The size of the digest an event id is remembered by (see Router.dispatch).
_DIGEST_SIZE: Final = 16

_H = TypeVar("_H", bound=Callable[[Any], Awaitable[object]])


class Router:
    """Routes webhook events to ``async def handler(event)`` functions; serves them over aiohttp.

    ::

        router = webhooks.Router(secret="s3cret")

        @router.on("contact.created", "contact.updated")
        async def sync_crm(event: webhooks.ContactEvent) -> None: ...

        @router.on("*")
        async def audit(event: webhooks.WebhookPayload) -> None: ...

        router.setup(app, "/hooks/wacr")

    :attr:`handler` (the aiohttp request handler) answers:

    - **200** once the body is verified and parsed; the matching handlers then run as tasks, so
      a slow handler never delays the answer, and a handler that raises is logged on the
      ``wacr.webhooks`` logger (with the event id and type, never the body) instead of changing
      the answer. An ``event.id`` seen before is answered 200 and not dispatched again.
    - **413** for a body over ``max_body_size`` bytes, or over the app's ``client_max_size`` if
      that is smaller;
    - **408** for a body not read in full within ``read_timeout`` seconds;
    - **401** when a ``secret`` is set and the ``signature_header`` is missing or wrong;
    - **400** for a body that is not a webhook event (not JSON, not an object, a bad field).

    The content type is not checked: delivery headers are undocumented, and a body that parses
    is accepted. No handler runs for a rejected request. A rejection is logged (WARNING, on
    ``wacr.webhooks``) with its status, reason and the body's size, and the event id when the
    body parsed far enough to have one; never with the body's content, which holds personal data.

    **Bounds.** What one sender can make the receiver hold:

    - *Body size*: at most ``max_body_size`` bytes (default 1 MiB) are kept per request, counted
      after any ``Content-Encoding`` is undone. A ``Content-Length`` over the limit is refused
      before any of the body is read; a chunked body is read in chunks and refused as soon as it
      passes the limit. After a 413 or 408 at most 1 MiB more of what the sender is still
      sending is read and dropped (never kept), within the read timeout, so that it can read the
      answer; then the connection is closed.
    - *Time*: the body must arrive within ``read_timeout`` seconds (default 10) of the request's
      headers, else 408 and the connection is closed. (The headers themselves are read by
      aiohttp before the router sees the request.)
    - *De-duplication memory*: the last ``max_event_ids`` ids (default 10,000) are remembered as
      16-byte keyed BLAKE2b digests, never the ids themselves, so the memory is bounded by the
      count whatever the ids' length: about 170 bytes per id, under 2 MiB at the default. An id
      older than the last ``max_event_ids`` distinct ones is forgotten, and a redelivery of it is
      dispatched again (a repeat refreshes an id).

    Args:
        secret: the signing secret; ``None`` (the default) accepts unsigned deliveries, since the
            platform does not document a signature. See :func:`~wacr.webhooks.verify_signature`.
        signature_header: where the signature is read from.
        max_body_size: the largest accepted body, in bytes.
        max_event_ids: how many recent event ids are kept for de-duplication.
        read_timeout: seconds allowed for reading a body.
    """

    def __init__(
        self,
        secret: str | bytes | None = None,
        *,
        signature_header: str = SIGNATURE_HEADER,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        max_event_ids: int = DEFAULT_MAX_EVENT_IDS,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
    ) -> None:
        if secret is not None and not secret:
            raise ValueError("the webhook secret is empty; pass secret=None to accept unsigned deliveries")
        if max_body_size < 1 or max_event_ids < 1:
            raise ValueError("max_body_size and max_event_ids must be positive")
        if not read_timeout > 0 or read_timeout == float("inf"):
            raise ValueError(f"read_timeout must be a positive number of seconds, not {read_timeout!r}")
        self._secret = secret
        self.signature_header = signature_header
        self.max_body_size = max_body_size
        self.max_event_ids = max_event_ids
        self.read_timeout = float(read_timeout)
        self._routes: list[tuple[str, re.Pattern[str], Callable[[Any], Awaitable[object]]]] = []
        # Digests keyed per router: ids chosen to collide cannot be worked out in advance.
        self._seen: OrderedDict[bytes, None] = OrderedDict()
        self._digest_key = secrets.token_bytes(16)
        # Strong references: the loop keeps only weak ones, and a collected task stops midway.
        self._tasks: set[asyncio.Task[None]] = set()

    # -- registration ------------------------------------------------------------------------
    def on(self, *patterns: str) -> Callable[[_H], _H]:
        """Decorate an ``async def handler(event)`` to run for events whose type matches a pattern.

        A pattern is an event type (``"contact.created"``) or a shell-style wildcard:
        ``"contact.*"``, ``"*.deleted"``, ``"*"``. Matching handlers run concurrently, each as
        its own task, in no guaranteed order.
        """

        def register(handler: _H) -> _H:
            self.add_handler(handler, *patterns)
            return handler

        return register

    def add_handler(self, handler: Callable[[Any], Awaitable[object]], *patterns: str) -> None:
        """Register ``handler`` for ``patterns`` without a decorator (see :meth:`on`)."""
        if not patterns:
            raise TypeError("give at least one event pattern, e.g. 'contact.created' or '*'")
        if not (inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(type(handler).__call__)):
            raise TypeError(f"webhook handlers must be async functions, got {handler!r}")
        for pattern in patterns:
            if not isinstance(pattern, str) or not pattern:
                raise TypeError(f"an event pattern must be a non-empty string, got {pattern!r}")
            self._routes.append((pattern, re.compile(fnmatch.translate(pattern)), handler))

    # -- dispatch ----------------------------------------------------------------------------
    def dispatch(self, event: WebhookPayload) -> bool:
        """Start the handlers matching ``event`` as tasks; ``False`` for an id seen before.

        :attr:`handler` calls this after verifying and parsing a request; call it yourself to
        serve events from another web framework (with :func:`verify_signature` and
        :func:`parse_event`). Must run inside the event loop. Returns without waiting for the
        handlers (see :meth:`drain`).
        """
        event_id = event.event.id
        # A fixed-size digest stands for the id: memory is bounded by the count, not the ids' length.
        key = hashlib.blake2b(
            event_id.encode("utf-8", "surrogatepass"), digest_size=_DIGEST_SIZE, key=self._digest_key
        ).digest()
        seen = self._seen
        if key in seen:
            seen.move_to_end(key)
            _log.debug(
                "webhook event %s (%s) already received; ignored", short(event_id), short(event.event.type)
            )
            return False
        # No await between the check and the insert: concurrent deliveries dispatch once.
        seen[key] = None
        if len(seen) > self.max_event_ids:
            seen.popitem(last=False)
        loop = asyncio.get_running_loop()
        matched = 0
        for _pattern, regex, handler in self._routes:
            if regex.match(event.event.type):
                task = loop.create_task(self._run(handler, event))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                matched += 1
        _log.debug("webhook event %s (%s): %d handler(s)", short(event_id), short(event.event.type), matched)
        return True

    async def _run(self, handler: Callable[[Any], Awaitable[object]], event: WebhookPayload) -> None:
        try:
            await handler(event)
        except Exception:
            name = getattr(handler, "__qualname__", None) or repr(handler)
            _log.exception(
                "webhook handler %s failed on event %s (%s)",
                name,
                short(event.event.id),
                short(event.event.type),
            )

    @property
    def pending(self) -> int:
        """How many handler tasks are still running."""
        return sum(1 for task in self._tasks if not task.done())

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait until every running handler has finished (also those started meanwhile).

        Returns ``False`` if ``timeout`` seconds passed first (the handlers keep running).
        """
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            running = {task for task in self._tasks if not task.done()}
            if not running:
                return True
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return False
            await asyncio.wait(running, timeout=remaining)

    async def close(self) -> None:
        """Cancel the running handlers and wait for them to stop."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    # -- aiohttp -----------------------------------------------------------------------------
    async def handler(self, request: web.BaseRequest) -> web.StreamResponse:
        """The aiohttp request handler: ``app.router.add_post("/hooks/wacr", router.handler)``.

        It answers as the class says, within the bounds it states.
        """
        from wacr.webhooks import _aiohttp

        return await _aiohttp.handle(self, request)

    def setup(
        self, app: web.Application, path: str = "/hooks/wacr", *, shutdown_timeout: float = 10.0
    ) -> None:
        """Serve the router at ``POST path`` of ``app``, and stop its handlers with the app.

        On shutdown the app waits up to ``shutdown_timeout`` seconds for running handlers (before
        cleanup contexts, such as one closing a :class:`wacr.Client`, run), then cancels the rest.
        """
        from wacr.webhooks import _aiohttp

        _aiohttp.setup(self, app, path, shutdown_timeout=shutdown_timeout)


def short(text: str, limit: int = 80) -> str:
    """``text`` cut for a log line: ids and types come from the sender and may be huge."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text)} characters)"
