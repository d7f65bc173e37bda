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
    fastapi_app.mount("/hooks/wacr", router.asgi)    # or as an ASGI 3 app (Starlette, FastAPI)
    status = await router.handle(body, headers)      # or from any framework: the status to answer

Routers compose (``router.include(other)``), handlers may be plain functions (run in a thread)
and take a predicate (``@router.on("contact.updated", when=lambda event: ...)``), and event ids
are de-duplicated through a :class:`DedupeStore` (:class:`MemoryDedupe` by default,
``wacr.redis.RedisDedupe`` across processes): see :class:`Router` for the delivery guarantee.

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

The package's modules: ``_events`` (parsing), ``_signatures``, ``_dedupe`` (the store protocol
and the in-memory store), ``_router`` (registration, composition, claims, handler tasks),
``_core`` (:meth:`Router.handle`: body and headers in, :class:`Answer` out; no web framework),
and the adapters ``_aiohttp`` and ``_asgi``, which read the body within the router's bounds (see
:class:`Router`). Import the names from here.
"""

from __future__ import annotations

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
from wacr.webhooks._asgi import AsgiApp
from wacr.webhooks._core import Answer
from wacr.webhooks._dedupe import DEFAULT_MAX_EVENT_IDS, DedupeStore, MemoryDedupe
from wacr.webhooks._events import EVENT_TYPES, parse_event
from wacr.webhooks._router import DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_PENDING, DEFAULT_READ_TIMEOUT, Router
from wacr.webhooks._signatures import SIGNATURE_HEADER, sign, verify_signature

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_MAX_EVENT_IDS",
    "DEFAULT_MAX_PENDING",
    "DEFAULT_READ_TIMEOUT",
    "EVENT_TYPES",
    "SIGNATURE_HEADER",
    "Answer",
    "AsgiApp",
    "ContactCreatedEvent",
    "ContactDeletedEvent",
    "ContactEvent",
    "ContactUpdatedEvent",
    "DedupeStore",
    "MemoryDedupe",
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
    "WebhookError",
    "WebhookEvent",
    "WebhookMetadata",
    "WebhookPayload",
    "WebhookResource",
    "WebhookSignatureError",
    "WebhookTenant",
    "parse_event",
    "sign",
    "verify_signature",
]
