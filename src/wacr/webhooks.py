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
import secrets
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
    "DEFAULT_MAX_EVENT_IDS",
    "DEFAULT_READ_TIMEOUT",
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
#: Seconds :class:`Router` allows for reading a body by default; a slower one gets 408.
DEFAULT_READ_TIMEOUT: Final = 10.0
#: How many recent event ids :class:`Router` remembers by default for de-duplication.
DEFAULT_MAX_EVENT_IDS: Final = 10_000

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
# What is read and dropped of a refused body at most, so that a sender that has already written
# it reads the answer instead of a connection reset.
_DISCARD_LIMIT: Final = 1024 * 1024
# The size of the digest an event id is remembered by (see Router.dispatch).
_DIGEST_SIZE: Final = 16


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
            platform does not document a signature. See :func:`verify_signature`.
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
                "webhook event %s (%s) already received; ignored", _short(event_id), _short(event.event.type)
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
        _log.debug(
            "webhook event %s (%s): %d handler(s)", _short(event_id), _short(event.event.type), matched
        )
        return True

    async def _run(self, handler: Callable[[Any], Awaitable[object]], event: WebhookPayload) -> None:
        try:
            await handler(event)
        except Exception:
            name = getattr(handler, "__qualname__", None) or repr(handler)
            _log.exception(
                "webhook handler %s failed on event %s (%s)",
                name,
                _short(event.event.id),
                _short(event.event.type),
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

        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.read_timeout
        limit, whose = self.max_body_size, "the router's max_body_size"
        if request.client_max_size < limit:
            limit, whose = request.client_max_size, "the application's client_max_size"
        length = request.content_length
        if length is not None and length > limit:
            # Refused on the header alone: none of the body is read.
            reason = f"the body is over {limit} bytes ({whose}; Content-Length: {length})"
            return await self._refuse(request, 413, reason, 0, deadline)
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise asyncio.TimeoutError
                chunk = await asyncio.wait_for(request.content.readany(), remaining)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    reason = f"the body is over {limit} bytes ({whose})"
                    return await self._refuse(request, 413, reason, size, deadline)
                chunks.append(chunk)
        except asyncio.TimeoutError:
            reason = f"the body was not received within {self.read_timeout:g} seconds"
            return await self._refuse(request, 408, reason, size, deadline)
        except Exception as exc:  # a broken chunked body or a bad encoding: the sender's fault, not a 500
            return _reject(400, f"the body could not be read ({type(exc).__name__})", size)
        body = b"".join(chunks)
        del chunks
        if self._secret is not None:
            signature = request.headers.get(self.signature_header)
            if not signature or not verify_signature(body, signature, self._secret):
                what = "missing" if not signature else "does not match the body"
                return _reject(401, f"the webhook signature is {what} ({self.signature_header} header)", size)
        # Decoded here rather than in parse_event so that the log can say what is wrong without
        # quoting the body (parse_event's messages quote bad values).
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            return _reject(400, f"webhook body is not valid JSON ({exc})", size, logged="not valid JSON")
        if not isinstance(data, dict):
            reason = f"a webhook body must be a JSON object, not {_json_kind(data)}"
            return _reject(400, reason, size)
        try:
            event = parse_event(data)
        except WebhookError as exc:
            header = data.get("event")
            event_id = header.get("id") if isinstance(header, dict) else None
            logged = "not a webhook event (a field is missing or of the wrong type)"
            if isinstance(event_id, str):
                logged += f", event {_short(event_id)}"
            return _reject(400, str(exc), size, logged=logged)
        fresh = self.dispatch(event)
        return web.json_response({"received": True, "duplicate": not fresh})

    async def _refuse(
        self, request: web.BaseRequest, status: int, reason: str, size: int, deadline: float
    ) -> web.StreamResponse:
        """Answer ``status`` while the body is still (partly) unread, then close the connection.

        What the sender is still sending is read and dropped, up to ``_DISCARD_LIMIT`` bytes and
        until ``deadline``, so that a client that writes its whole body before reading gets the
        answer rather than a reset; the connection is then closed, so no more is read.
        """
        response = _reject(status, reason, size)
        response.force_close()
        try:
            await response.prepare(request)
            await response.write_eof()
            loop = asyncio.get_running_loop()
            dropped = 0
            declared = request.content_length
            if declared is None or declared - size <= _DISCARD_LIMIT:
                while dropped <= _DISCARD_LIMIT and not request.content.is_eof():
                    remaining = deadline - loop.time()
                    if remaining <= 0:
                        break
                    chunk = await asyncio.wait_for(request.content.readany(), remaining)
                    if not chunk:
                        break
                    dropped += len(chunk)
        except Exception:  # timed out, or the sender went away: nothing more to read
            pass
        finally:
            if not request.content.is_eof():
                request.protocol.force_close()
        return response

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


def _reject(status: int, reason: str, size: int, *, logged: str | None = None) -> web.Response:
    """The answer to a refused request; the log gets ``logged`` (content-free) or the reason."""
    from aiohttp import web

    _log.warning("webhook rejected with %d: %s (%d bytes read)", status, logged or reason, size)
    return web.json_response({"received": False, "error": reason}, status=status)


def _short(text: str, limit: int = 80) -> str:
    """``text`` cut for a log line: ids and types come from the sender and may be huge."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text)} characters)"
