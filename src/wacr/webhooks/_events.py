"""Parsing webhook bodies into the event models of the spec's ``webhooks`` section."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import orjson

from wacr._convert import invalid_response_error, structure
from wacr.errors import WebhookError, WebhookSignatureError
from wacr.models import (
    ContactCreatedEvent,
    ContactDeletedEvent,
    ContactUpdatedEvent,
    ResourceEvent,
    SourceCreatedEvent,
    SourceDeletedEvent,
    SourceUpdatedEvent,
    StatusCreatedEvent,
    StatusDeletedEvent,
    StatusUpdatedEvent,
    WebhookPayload,
)
from wacr.webhooks._signatures import verify_signature

__all__ = ["EVENT_TYPES", "parse_event"]

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


# Where the payload holds objects. PHP's json_encode writes an empty array as `[]`, so an empty
# map may arrive as an empty list; it is read as `{}` at these places only.
_OBJECT_PATHS: Final[Mapping[str, Any]] = {
    "tenant": {},
    "data": {"resource": {"attributes": {}}, "relationships": {}},
    "changes": {"previous": {}, "current": {}},
    "metadata": {},
}


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
            message names each bad field, never the whole body); an empty ``event.id`` too.
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
        raise WebhookError(f"a webhook body must be a JSON object, not {json_kind(data)}")
    header = data.get("event")
    event_type = header.get("type") if isinstance(header, dict) else None
    cls: type[WebhookPayload] = WebhookPayload
    if isinstance(event_type, str):
        cls = EVENT_TYPES.get(event_type, WebhookPayload)
    try:
        event = structure(_empty_lists_as_maps(data, _OBJECT_PATHS), cls)
    except Exception as exc:
        problems = [p.lstrip(".") for p in invalid_response_error(exc, path="").problems]
        what = f"a {event_type} event" if cls is not WebhookPayload else "a webhook event"
        shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
        raise WebhookError(f"webhook body is not {what}: {shown}") from exc
    if not event.event.id:
        # The id is what de-duplication keys on: every later event without one would be dropped.
        raise WebhookError("webhook body is not a webhook event: event.id is empty")
    return event


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


def json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    return "a number"
