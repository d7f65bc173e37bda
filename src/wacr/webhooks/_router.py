"""The router: handlers registered by event type and predicate, composition, de-duplication through a
:class:`~wacr.webhooks.DedupeStore`, handler tasks.

It knows no web framework: :meth:`Router.handle` is the transport-neutral core (in
:mod:`wacr.webhooks._core`); :attr:`Router.handler` (aiohttp, :mod:`wacr.webhooks._aiohttp`) and
:attr:`Router.asgi` (ASGI 3, :mod:`wacr.webhooks._asgi`) adapt it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final

from wacr.models import WebhookPayload
from wacr.webhooks._claims import Claims, Load, Route, Run, finish_run, run_handler, short
from wacr.webhooks._core import Answer, Headers, handle
from wacr.webhooks._dedupe import DEFAULT_MAX_EVENT_IDS, DedupeStore, MemoryDedupe
from wacr.webhooks._registry import Registry
from wacr.webhooks._signatures import SIGNATURE_HEADER

if TYPE_CHECKING:
    from aiohttp import web

    from wacr.webhooks._asgi import AsgiApp

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_MAX_EVENT_IDS",
    "DEFAULT_MAX_PENDING",
    "DEFAULT_READ_TIMEOUT",
    "Router",
]

#: The largest body :class:`Router` accepts by default (1 MiB); larger ones get 413.
DEFAULT_MAX_BODY_SIZE: Final = 1024 * 1024
#: Seconds :class:`Router` allows for reading a body by default; a slower one gets 408.
DEFAULT_READ_TIMEOUT: Final = 10.0
#: How many events :class:`Router` handles at once by default; one more gets 503 (deliver later).
DEFAULT_MAX_PENDING: Final = 100

_log = logging.getLogger("wacr.webhooks")
# An HTTP field name (RFC 9110's token).
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


class Router(Registry):
    """Routes webhook events to handlers; served by :meth:`handle`, :attr:`handler` (aiohttp) or
    :attr:`asgi` (Starlette, FastAPI, any ASGI 3 server).

    ::

        router = webhooks.Router(secret="s3cret")

        @router.on("contact.created", "contact.updated")
        async def sync_crm(event: webhooks.ContactEvent) -> None: ...

        @router.on("contact.updated", when=lambda e: "status_id" in (e.changes.modified_fields or []))
        def status_changed(event: webhooks.ContactUpdatedEvent) -> None: ...   # sync: runs in a thread

        router.include(billing.router)          # its handlers run too
        router.setup(app, "/hooks/wacr")        # aiohttp; or fastapi_app.mount("/hooks/wacr", router.asgi)

    Every adapter answers what :meth:`handle` returns:

    - **200** once the body is verified and parsed and its ``event.id`` claimed; the matching
      handlers then run as tasks, so a slow handler never delays the answer, and a handler that
      raises is logged on the ``wacr.webhooks`` logger (with the event id and type, never the
      body) instead of changing the answer. An id already claimed (done, or running now) is
      answered 200 with ``"duplicate": true`` and its handlers are not run again.
    - **503** (with ``Retry-After``) while ``max_pending`` events are being handled (see Bounds):
      nothing is claimed, so the platform's redelivery runs it once there is room;
    - **413** for a body over ``max_body_size`` bytes (aiohttp: or over the app's
      ``client_max_size`` if that is smaller);
    - **408** for a body not read in full within ``read_timeout`` seconds (the adapters);
    - **401** when a ``secret`` is set and the ``signature_header`` is missing or wrong;
    - **400** for a body that is not a webhook event (empty, not JSON, not an object, a bad field);
    - **405** (with ``Allow: POST``) for another method (the adapters).

    The content type is not checked: delivery headers are undocumented, and a body that parses
    is accepted. No handler runs for a rejected request. A rejection is logged (WARNING, on
    ``wacr.webhooks``) with its status, reason and the body's size, and the event id when the
    body parsed far enough to have one; never with the body's content, which holds personal data.

    **Delivery guarantee: at-least-once, never the same id twice at the same time.** The id is
    claimed in the ``dedupe`` store before any handler runs; when every handler has returned it
    is marked done; when one raises (or is cancelled) the claim is released, so a redelivery of
    the event runs all its handlers again. With a shared store (``wacr.redis.RedisDedupe``)
    this holds across replicas. The answer does not wait for the handlers, so a redelivery comes
    from the sender's own retries or a replay, not from a handler's failure. A store that raises
    never loses an event: the event runs (a duplicate is then possible) and the failure is logged
    once until the store works again.

    **Bounds.** What one sender can make the receiver hold:

    - *Body size*: at most ``max_body_size`` bytes (default 1 MiB) are kept per request, counted
      after any ``Content-Encoding`` is undone. A ``Content-Length`` over the limit is refused
      before any of the body is read; a chunked body is read in chunks and refused as soon as it
      passes the limit; the connection is then closed.
    - *Time*: the body must arrive within ``read_timeout`` seconds (default 10) of the request's
      headers, else 408 and the connection is closed. (The server reads the headers.)
    - *De-duplication memory*: the default store (:class:`~wacr.webhooks.MemoryDedupe`) keeps
      the last ``max_event_ids`` ids (default 10,000) as 16-byte keyed digests: about 170 bytes
      per id, under 2 MiB at the default. An older id is forgotten and a redelivery of it runs.
    - *Handler work*: at most ``max_pending`` events (default 100) have handlers running (each
      holds its parsed event); another delivery is answered 503 with ``Retry-After`` and not
      claimed. A redelivery of an id whose handlers are running is a duplicate (200) even when
      the store has forgotten it, so an id never runs twice at once. :meth:`dispatch` and
      :meth:`feed` (called by your code, at its pace) are not refused but count toward it.

    Args:
        secret: the signing secret; ``None`` (the default) accepts unsigned deliveries, since the
            platform does not document a signature. See :func:`~wacr.webhooks.verify_signature`.
        signature_header: where the signature is read from.
        dedupe: a :class:`~wacr.webhooks.DedupeStore`; ``None`` means a
            :class:`~wacr.webhooks.MemoryDedupe` of ``max_event_ids``.
        max_body_size: the largest accepted body, in bytes.
        max_event_ids: the size of the default store (an error with ``dedupe``: size yours).
        read_timeout: seconds allowed for reading a body.
        max_pending: how many events may have handlers running at once.
    """

    def __init__(
        self,
        secret: str | bytes | None = None,
        *,
        signature_header: str = SIGNATURE_HEADER,
        dedupe: DedupeStore | None = None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        max_event_ids: int = DEFAULT_MAX_EVENT_IDS,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        max_pending: int = DEFAULT_MAX_PENDING,
    ) -> None:
        if secret is not None and not isinstance(secret, (str, bytes)):
            raise TypeError(f"secret must be str, bytes or None, not {type(secret).__name__}")
        if secret is not None and not secret:
            raise ValueError("the webhook secret is empty; pass secret=None to accept unsigned deliveries")
        if not isinstance(signature_header, str) or not _TOKEN.fullmatch(signature_header):
            raise ValueError(f"signature_header must be an HTTP header name, not {signature_header!r}")
        for name, count in (
            ("max_body_size", max_body_size),
            ("max_event_ids", max_event_ids),
            ("max_pending", max_pending),
        ):
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                raise ValueError(f"{name} must be a positive integer, not {count!r}")
        if (
            not isinstance(read_timeout, (int, float))
            or isinstance(read_timeout, bool)
            or not 0 < read_timeout < float("inf")
        ):
            raise ValueError(
                f"read_timeout must be a positive, finite number of seconds, not {read_timeout!r}"
            )
        if dedupe is not None:
            if not isinstance(dedupe, DedupeStore):
                raise TypeError(f"dedupe must be a DedupeStore (claim, complete, release), not {dedupe!r}")
            if max_event_ids != DEFAULT_MAX_EVENT_IDS:
                raise ValueError(
                    "max_event_ids sizes the default in-memory store; size the dedupe store you give"
                )
        self._secret = secret
        self.signature_header: str = signature_header
        self.max_body_size: int = max_body_size
        self.max_event_ids: int = max_event_ids
        self.read_timeout: float = float(read_timeout)
        self.max_pending: int = max_pending
        self._own_dedupe = dedupe is not None
        #: Where claimed event ids are kept (see the delivery guarantee).
        self.dedupe: DedupeStore = dedupe if dedupe is not None else MemoryDedupe(max_event_ids)
        super().__init__()
        self._children: list[Router] = []
        self._parent: Router | None = None
        self._claims = Claims(self.dedupe)
        self._asgi: AsgiApp | None = None
        # Strong references: the loop keeps only weak ones, and a collected task stops midway.
        self._tasks: set[asyncio.Task[None]] = set()
        self._load = Load()

    # -- registration (on, add_handler: wacr.webhooks._registry) ---------------------------
    def include(self, router: Router) -> Router:
        """Run ``router``'s handlers (and those it includes) for the events this router receives.

        The including router's secret, bounds and de-dup store apply; so ``router`` may have none
        of its own. A router is included once: a second inclusion, or one that makes a cycle, is a
        :class:`ValueError`. Returns ``router``.
        """
        if not isinstance(router, Router):
            raise TypeError(f"include() takes a webhooks.Router, not {router!r}")
        node: Router | None = self
        while node is not None:
            if node is router:
                raise ValueError("including this router would make a cycle (a router cannot include itself)")
            node = node._parent
        if router._parent is not None:
            raise ValueError("this router is already included in another router; include it once")
        own = [name for name, given in router._settings().items() if given]
        if own:
            raise ValueError(
                f"an included router runs under the including router's settings; it has its own "
                f"{', '.join(own)}: give those to the outer router"
            )
        router._parent = self
        self._children.append(router)
        return router

    def _settings(self) -> dict[str, bool]:
        """Which settings differ from the defaults (an included router may have none)."""
        return {
            "secret": self._secret is not None,
            "signature_header": self.signature_header != SIGNATURE_HEADER,
            "dedupe": self._own_dedupe,
            "max_body_size": self.max_body_size != DEFAULT_MAX_BODY_SIZE,
            "max_event_ids": self.max_event_ids != DEFAULT_MAX_EVENT_IDS,
            "read_timeout": self.read_timeout != DEFAULT_READ_TIMEOUT,
            "max_pending": self.max_pending != DEFAULT_MAX_PENDING,
        }

    def _all_routes(self) -> Iterator[Route]:
        yield from self._routes
        for child in self._children:
            yield from child._all_routes()

    # -- dispatch ----------------------------------------------------------------------------
    async def handle(
        self,
        body: bytes | bytearray | memoryview | str,
        headers: Headers = None,
    ) -> Answer:
        """Answer one delivery: the status to send (an :class:`~wacr.webhooks.Answer`, an ``int``).

        ``body`` is the raw request body; ``headers`` any mapping or list of ``(name, value)``
        pairs (str or bytes, names case-insensitive). It checks the size, the signature and the
        event, claims the id and starts the handlers, as the class says. Any web framework can
        serve the router with it::

            answer = await router.handle(await request.body(), request.headers)
            return Response(answer.body(), status=answer, media_type="application/json")
        """
        return await handle(self, body, headers)

    def dispatch(self, event: WebhookPayload) -> bool:
        """Start the handlers matching a parsed ``event``; ``False`` for an id already claimed.

        Without an ``await``, so only with the default in-memory store; :meth:`feed` works with
        any. Must run inside the event loop; returns without waiting for the handlers.
        """
        store = self.dedupe
        if not isinstance(store, MemoryDedupe):
            raise TypeError("dispatch() needs the in-memory dedupe store; use `await router.feed(event)`")
        if event.event.id in self._load.running or not store.claim_now(event.event.id):
            self._log_duplicate(event)
            return False
        self._start(event)
        return True

    async def feed(self, event: WebhookPayload) -> bool:
        """:meth:`dispatch` through any :class:`~wacr.webhooks.DedupeStore`, awaiting its claim."""
        if event.event.id in self._load.running or not await self._claims.claim(event):
            self._log_duplicate(event)
            return False
        if event.event.id in self._load.running:  # started while the store answered: it holds the claim
            self._log_duplicate(event)
            return False
        self._start(event)
        return True

    def _log_duplicate(self, event: WebhookPayload) -> None:
        _log.debug(
            "webhook event %s (%s) already received; ignored", short(event.event.id), short(event.event.type)
        )

    def _start(self, event: WebhookPayload) -> None:
        routes = [route for route in self._all_routes() if route.regex.match(event.event.type)]
        _log.debug(
            "webhook event %s (%s): %d handler(s)",
            short(event.event.id),
            short(event.event.type),
            len(routes),
        )
        if not routes and isinstance(self.dedupe, MemoryDedupe):
            self.dedupe.complete_now(event.event.id)
            return
        event_id = event.event.id
        self._load.running.add(event_id)
        run = Run(len(routes), lambda: self._load.running.discard(event_id))
        if not routes:
            self._spawn(finish_run(event, run, self._claims))  # a store's complete() may take time
        for route in routes:
            self._spawn(run_handler(route, event, run, self._claims))

    def _spawn(self, work: Any) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- handler tasks -----------------------------------------------------------------------
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
        """Cancel the running handlers and wait for them to stop (a plain function's thread cannot
        be stopped: it finishes on its own)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    # -- adapters ----------------------------------------------------------------------------
    async def handler(self, request: web.BaseRequest) -> web.StreamResponse:
        """The aiohttp request handler: ``app.router.add_post("/hooks/wacr", router.handler)``."""
        from wacr.webhooks import _aiohttp

        return await _aiohttp.handle(self, request)

    def setup(
        self, app: web.Application, path: str = "/hooks/wacr", *, shutdown_timeout: float = 10.0
    ) -> None:
        """Serve the router at ``path`` of an aiohttp ``app``, and stop its handlers with the app.

        The route takes every method, so that another than POST gets the router's JSON 405 (as
        :attr:`asgi` answers); register nothing else at ``path``.

        On shutdown the app waits up to ``shutdown_timeout`` seconds for running handlers (before
        cleanup contexts, such as one closing a :class:`wacr.Client`, run), then cancels the rest.
        """
        from wacr.webhooks import _aiohttp

        _aiohttp.setup(self, app, path, shutdown_timeout=shutdown_timeout)

    @property
    def asgi(self) -> AsgiApp:
        """The router as an ASGI 3 app: ``fastapi_app.mount("/hooks/wacr", router.asgi)``.

        See :class:`~wacr.webhooks.AsgiApp` (lifespan, bounds, shutdown).
        """
        if self._asgi is None:
            from wacr.webhooks._asgi import AsgiApp

            self._asgi = AsgiApp(self)
        return self._asgi
