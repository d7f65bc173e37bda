"""Receive WA.cr / RASL webhook events: parse them into typed models and route them to handlers.

::

    from aiohttp import web
    from wacr import webhooks

    router = webhooks.Router(secret=None)           # a secret turns signature checks on

    @router.on("contact.created")                    # also "contact.*" and "*"
    async def welcome(event: webhooks.ContactCreatedEvent) -> None:
        contact = event.data.resource.attributes     # an open dict of the contact's fields
        print(event.event.id, event.data.resource.id, contact.get("phone"))

    app = web.Application()
    router.setup(app, "/hooks/wacr")                 # or app.router.add_post(path, router.handler)

The models come from the ``webhooks`` section of ``openapi/wacr-v2.yaml``. Every event is a
:class:`WebhookPayload` that mirrors the wire (``event``, ``tenant``, ``data.resource``,
``data.relationships``, ``changes``, ``metadata``). The nine documented events parse into their
own subclasses, grouped by resource::

    WebhookPayload                 any event; only ``event`` is required (unknown types land here)
    └── ResourceEvent              the documented base payload: every part present, resource id an int
        ├── ContactEvent           ContactCreatedEvent, ContactUpdatedEvent, ContactDeletedEvent
        ├── SourceEvent            SourceCreatedEvent, SourceUpdatedEvent, SourceDeletedEvent
        └── StatusEvent            StatusCreatedEvent, StatusUpdatedEvent, StatusDeletedEvent

so a handler can annotate the class it expects, and ``isinstance(event, ContactEvent)`` tells the
resource. ``attributes``, ``relationships`` and ``changes.previous`` / ``current`` stay open dicts
(the docs show attribute values outside the API's enums, e.g. a contact ``type`` of
``"individual"``); ``event.timestamp`` is a tz-aware datetime whether it is written with ``Z``,
milliseconds or an offset.

**Signatures.** The platform does not document how (or whether) it signs deliveries. Verification
happens only when you give :class:`Router` a ``secret``: the ``X-Signature`` header (configurable)
must then hold the hex HMAC-SHA256 of the raw body keyed with the secret, optionally prefixed with
``sha256=``; it is compared in constant time. The emulator (:mod:`wacr.testing`) signs this way.
"""

from __future__ import annotations

import asyncio
import fnmatch
import hashlib
import hmac
import inspect
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, TypeVar

import orjson

from wacr._convert import invalid_response_error, structure
from wacr.errors import WebhookError, WebhookSignatureError
from wacr.models import (
    ContactCreatedEvent,
    ContactDeletedEvent,
    ContactEvent,
    ContactUpdatedEvent,
    ResourceEvent,
    ResourceEventData,
    ResourceEventResource,
    SourceCreatedEvent,
    SourceDeletedEvent,
    SourceEvent,
    SourceUpdatedEvent,
    StatusCreatedEvent,
    StatusDeletedEvent,
    StatusEvent,
    StatusUpdatedEvent,
    WebhookChanges,
    WebhookData,
    WebhookEvent,
    WebhookMetadata,
    WebhookPayload,
    WebhookResource,
    WebhookTenant,
)

if TYPE_CHECKING:
    from aiohttp import web

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "EVENT_TYPES",
    "SIGNATURE_HEADER",
    "ContactCreatedEvent",
    "ContactDeletedEvent",
    "ContactEvent",
    "ContactUpdatedEvent",
    "ResourceEvent",
    "ResourceEventData",
    "ResourceEventResource",
    "Router",
    "SourceCreatedEvent",
    "SourceDeletedEvent",
    "SourceEvent",
    "SourceUpdatedEvent",
    "StatusCreatedEvent",
    "StatusDeletedEvent",
    "StatusEvent",
    "StatusUpdatedEvent",
    "WebhookChanges",
    "WebhookData",
    "WebhookEvent",
    "WebhookMetadata",
    "WebhookPayload",
    "WebhookResource",
    "WebhookTenant",
    "parse_event",
    "sign",
    "verify_signature",
]

#: The model of each documented event type; any other type parses into :class:`WebhookPayload`.
EVENT_TYPES: Final[Mapping[str, type[ResourceEvent]]] = MappingProxyType(
    {
        "contact.created": ContactCreatedEvent,
        "contact.updated": ContactUpdatedEvent,
        "contact.deleted": ContactDeletedEvent,
        "source.created": SourceCreatedEvent,
        "source.updated": SourceUpdatedEvent,
        "source.deleted": SourceDeletedEvent,
        "status.created": StatusCreatedEvent,
        "status.updated": StatusUpdatedEvent,
        "status.deleted": StatusDeletedEvent,
    }
)

#: The header :class:`Router` reads the signature from by default (the scheme is undocumented).
SIGNATURE_HEADER: Final = "X-Signature"
#: The largest body :class:`Router` accepts by default (1 MiB); larger ones get 413.
DEFAULT_MAX_BODY_SIZE: Final = 1024 * 1024

_log = logging.getLogger("wacr.webhooks")

# Where the payload holds objects. PHP's json_encode writes an empty array as `[]`, so an empty
# map may arrive as an empty list; it is read as `{}` at these places only.
_OBJECT_PATHS: Final[Mapping[str, Any]] = {
    "tenant": {},
    "data": {"resource": {"attributes": {}}, "relationships": {}},
    "changes": {"previous": {}, "current": {}},
    "metadata": {},
}
_SIGNATURE_PREFIX: Final = "sha256="


# --- parsing ----------------------------------------------------------------------------------


def parse_event(
    body: bytes | bytearray | memoryview | str | Mapping[str, Any],
    *,
    secret: str | bytes | None = None,
    signature: str | None = None,
) -> WebhookPayload:
    """Parse a webhook body (raw JSON bytes/str, or an already decoded dict) into its model.

    The nine documented event types give their own class (:data:`EVENT_TYPES`, e.g.
    :class:`ContactCreatedEvent`); any other ``event.type`` gives a :class:`WebhookPayload` that
    keeps the type. Unknown fields are accepted (the open maps keep them).

    >>> event = parse_event(b'{"event": {"id": "evt_1_a", "type": "contact.merged"}}')
    >>> type(event).__name__, event.event.type
    ('WebhookPayload', 'contact.merged')

    With a ``secret``, the raw ``body`` is first checked against ``signature`` (the header's
    value, see :func:`verify_signature`), which serves other web frameworks than aiohttp.

    Raises:
        WebhookSignatureError: a ``secret`` was given and ``signature`` is missing or wrong.
        WebhookError: the body is not JSON, not an object, or breaks the event's schema (the
            message names each bad field, never the whole body).
    """
    data: Any
    if secret is not None:
        if isinstance(body, Mapping):
            raise TypeError("checking a signature needs the raw body (bytes or str), not a decoded mapping")
        raw = bytes(body) if isinstance(body, (bytearray, memoryview)) else body
        if not signature:
            raise WebhookSignatureError("the webhook signature is missing")
        if not verify_signature(raw, signature, secret):
            raise WebhookSignatureError("the webhook signature does not match the body")
    if isinstance(body, Mapping):
        data = body if isinstance(body, dict) else dict(body)
    elif isinstance(body, (bytes, bytearray, memoryview, str)):
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise WebhookError(f"webhook body is not valid JSON ({exc})") from None
    else:
        raise WebhookError(f"a webhook body must be bytes, str or a mapping, not {type(body).__name__}")
    if not isinstance(data, dict):
        raise WebhookError(f"a webhook body must be a JSON object, not {_json_kind(data)}")
    header = data.get("event")
    event_type = header.get("type") if isinstance(header, dict) else None
    cls: type[WebhookPayload] = WebhookPayload
    if isinstance(event_type, str):
        cls = EVENT_TYPES.get(event_type, WebhookPayload)
    try:
        return structure(_empty_lists_as_maps(data, _OBJECT_PATHS), cls)
    except Exception as exc:
        problems = [p.lstrip(".") for p in invalid_response_error(exc, path="").problems]
        what = f"a {event_type} event" if cls is not WebhookPayload else "a webhook event"
        shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
        raise WebhookError(f"webhook body is not {what}: {shown}") from exc


def _empty_lists_as_maps(value: Any, paths: Mapping[str, Any]) -> Any:
    """``value`` with ``[]`` replaced by ``{}`` at the object places of ``paths`` (copied on write)."""
    if isinstance(value, list) and not value:
        return {}
    if not isinstance(value, dict) or not paths:
        return value
    copy: dict[str, Any] | None = None
    for key, sub in paths.items():
        if key in value:
            old = value[key]
            new = _empty_lists_as_maps(old, sub)
            if new is not old:
                if copy is None:
                    copy = dict(value)  # never change the caller's dict
                copy[key] = new
    return value if copy is None else copy


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    return "a number"


# --- signatures -------------------------------------------------------------------------------


def _key(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else bytes(secret)


def sign(body: bytes | str, secret: str | bytes) -> str:
    """The signature a signed delivery carries: ``"sha256=" + hex HMAC-SHA256(secret, body)``.

    Useful to test a receiver (``headers={"X-Signature": sign(body, secret)}``). The platform's
    own scheme is undocumented; this is the one :class:`Router` and the emulator use.
    """
    raw = body.encode() if isinstance(body, str) else body
    return _SIGNATURE_PREFIX + hmac.new(_key(secret), raw, hashlib.sha256).hexdigest()


def verify_signature(body: bytes | str, signature: str | None, secret: str | bytes) -> bool:
    """Whether ``signature`` is the hex HMAC-SHA256 of the raw ``body`` keyed with ``secret``.

    An optional ``sha256=`` prefix and surrounding spaces are ignored, hex case does not matter,
    and the comparison takes constant time. ``None`` or an empty signature is never valid.

    >>> verify_signature(b"{}", sign(b"{}", "s3cret"), "s3cret")
    True
    """
    if not signature:
        return False
    given = signature.strip()
    if given[: len(_SIGNATURE_PREFIX)].lower() == _SIGNATURE_PREFIX:
        given = given[len(_SIGNATURE_PREFIX) :]
    expected = sign(body, secret)[len(_SIGNATURE_PREFIX) :]
    # Bytes on both sides: compare_digest rejects non-ASCII str, and a forged header may have some.
    return hmac.compare_digest(expected.encode(), given.lower().encode("utf-8", "surrogateescape"))


# --- the router -------------------------------------------------------------------------------

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
      the answer. An ``event.id`` seen before is answered 200 and not dispatched again; the
      router remembers the last ``max_event_ids`` ids.
    - **413** for a body over ``max_body_size`` bytes (the app's ``client_max_size`` also applies);
    - **401** when a ``secret`` is set and the ``signature_header`` is missing or wrong;
    - **400** for a body that is not a webhook event (not JSON, not an object, a bad field).

    The content type is not checked: delivery headers are undocumented, and a body that parses
    is accepted. No handler runs for a rejected request.

    Args:
        secret: the signing secret; ``None`` (the default) accepts unsigned deliveries, since the
            platform does not document a signature. See :func:`verify_signature`.
        signature_header: where the signature is read from.
        max_body_size: the largest accepted body, in bytes.
        max_event_ids: how many recent event ids are kept for de-duplication.
    """

    def __init__(
        self,
        secret: str | bytes | None = None,
        *,
        signature_header: str = SIGNATURE_HEADER,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        max_event_ids: int = 10_000,
    ) -> None:
        if secret is not None and not secret:
            raise ValueError("the webhook secret is empty; pass secret=None to accept unsigned deliveries")
        if max_body_size < 1 or max_event_ids < 1:
            raise ValueError("max_body_size and max_event_ids must be positive")
        self._secret = secret
        self.signature_header = signature_header
        self.max_body_size = max_body_size
        self.max_event_ids = max_event_ids
        self._routes: list[tuple[str, re.Pattern[str], Callable[[Any], Awaitable[object]]]] = []
        self._seen: OrderedDict[str, None] = OrderedDict()
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
        seen = self._seen
        if event_id in seen:
            seen.move_to_end(event_id)
            _log.debug("webhook event %s (%s) already received; ignored", event_id, event.event.type)
            return False
        # No await between the check and the insert: concurrent deliveries dispatch once.
        seen[event_id] = None
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
        _log.debug("webhook event %s (%s): %d handler(s)", event_id, event.event.type, matched)
        return True

    async def _run(self, handler: Callable[[Any], Awaitable[object]], event: WebhookPayload) -> None:
        try:
            await handler(event)
        except Exception:
            name = getattr(handler, "__qualname__", None) or repr(handler)
            _log.exception(
                "webhook handler %s failed on event %s (%s)", name, event.event.id, event.event.type
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
        """The aiohttp request handler: ``app.router.add_post("/hooks/wacr", router.handler)``."""
        from aiohttp import web

        length = request.content_length
        if length is not None and length > self.max_body_size:
            return _reject(413, f"the body is over {self.max_body_size} bytes")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _reject(413, "the body is over the application's client_max_size")
        except Exception as exc:  # a broken chunked body or a bad encoding: the sender's fault, not a 500
            return _reject(400, f"the body could not be read ({type(exc).__name__})")
        if len(body) > self.max_body_size:
            return _reject(413, f"the body is over {self.max_body_size} bytes")
        try:
            event = parse_event(
                body, secret=self._secret, signature=request.headers.get(self.signature_header)
            )
        except WebhookSignatureError as exc:
            return _reject(401, f"{exc} ({self.signature_header} header)")
        except WebhookError as exc:
            _log.debug("rejected webhook body: %r", body[:2000])
            return _reject(400, str(exc))
        fresh = self.dispatch(event)
        return web.json_response({"received": True, "duplicate": not fresh})

    def setup(
        self, app: web.Application, path: str = "/hooks/wacr", *, shutdown_timeout: float = 10.0
    ) -> None:
        """Serve the router at ``POST path`` of ``app``, and stop its handlers with the app.

        On shutdown the app waits up to ``shutdown_timeout`` seconds for running handlers (before
        cleanup contexts, such as one closing a :class:`wacr.Client`, run), then cancels the rest.
        """

        async def finish(_app: web.Application) -> None:
            await self.drain(shutdown_timeout)

        async def cancel(_app: web.Application) -> None:
            await self.close()

        app.router.add_post(path, self.handler)
        app.on_shutdown.append(finish)
        app.on_cleanup.append(cancel)


def _reject(status: int, reason: str) -> web.Response:
    from aiohttp import web

    _log.warning("webhook rejected with %d: %s", status, reason)
    return web.json_response({"received": False, "error": reason}, status=status)
