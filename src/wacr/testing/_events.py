"""Webhook events: what the API handlers record of the contacts, sources and statuses they change.

The handlers call :func:`created`, :func:`updated` and :func:`deleted` (with :func:`watch`
taking the "before" picture) under the emulator's lock; nothing is recorded while no webhook is
registered. After answering, the app hands the recorded events to the dispatcher in
:mod:`wacr.testing._webhooks`. The payload follows the RASL Webhook Format Reference, including its
quirks (``.000Z`` timestamps, ``evt_{unix}_{random}`` ids, ``changes.previous`` null on create).
"""

from __future__ import annotations

import secrets
import string
from datetime import datetime, timezone
from typing import Any, Final, TypeAlias

from wacr.testing._context import Ctx
from wacr.testing._records import Contact, Source, Status
from wacr.testing._state import Tenant

__all__ = ["created", "deleted", "event_timestamp", "new_event_id", "updated", "watch"]

Row: TypeAlias = Contact | Source | Status

_KINDS: Final[dict[type, str]] = {Contact: "contact", Source: "source", Status: "status"}
_ID_ALPHABET: Final = string.ascii_letters + string.digits


# --- recording (called by the API handlers, under the emulator's lock) ----------------------


def watch(ctx: Ctx, row: Row) -> dict[str, Any] | None:
    """The row's attributes before a change, for :func:`updated` (``None`` when nobody listens)."""
    return None if ctx.state.webhook_events is None else _attributes(row)


def created(ctx: Ctx, row: Row) -> None:
    """Record ``{kind}.created``: ``previous`` and ``modified_fields`` null, ``current`` the record."""
    if ctx.state.webhook_events is not None:
        attributes = _attributes(row)
        _record(ctx, row, "created", attributes, None, dict(attributes), None)


def updated(ctx: Ctx, row: Row, before: dict[str, Any] | None) -> None:
    """Record ``{kind}.updated`` with the old and new values of the fields that changed.

    Nothing is recorded when no field changed (``updated_at`` alone does not count).
    """
    if ctx.state.webhook_events is None or before is None:
        return
    after = _attributes(row)
    modified = [key for key, value in after.items() if key != "updated_at" and before.get(key) != value]
    if modified:
        previous = {key: before.get(key) for key in modified}
        current = {key: after[key] for key in modified}
        _record(ctx, row, "updated", after, previous, current, modified)


def deleted(ctx: Ctx, row: Row) -> None:
    """Record ``{kind}.deleted``: ``previous`` the last state, ``current`` empty."""
    if ctx.state.webhook_events is not None:
        attributes = _attributes(row)
        _record(ctx, row, "deleted", attributes, dict(attributes), {}, None)


def _attributes(row: Row) -> dict[str, Any]:
    data = row.to_json()
    del data["id"]  # the id is data.resource.id
    return data


def _relationships(tenant: Tenant, row: Row) -> dict[str, Any]:
    if not isinstance(row, Contact):
        return {}
    source = tenant.sources.get(row.source_id) if row.source_id is not None else None
    status = tenant.statuses.get(row.status_id) if row.status_id is not None else None
    return {
        "source": None if source is None else {"id": source.id, "name": source.name},
        "status": None if status is None else {"id": status.id, "name": status.name, "color": status.color},
    }


def event_timestamp(when: datetime) -> str:
    """The event timestamp format of the docs: ``2025-12-12T14:30:00.000Z``."""
    utc = when.astimezone(timezone.utc)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def new_event_id(when: datetime) -> str:
    """``evt_{unix seconds}_{10 random letters and digits}``."""
    suffix = "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))
    return f"evt_{int(when.timestamp())}_{suffix}"


def _record(
    ctx: Ctx,
    row: Row,
    action: str,
    attributes: dict[str, Any],
    previous: dict[str, Any] | None,
    current: dict[str, Any],
    modified: list[str] | None,
) -> None:
    events = ctx.state.webhook_events
    assert events is not None
    kind = _KINDS[type(row)]
    tenant = ctx.tenant
    events.append(
        {
            "event": {
                "id": new_event_id(ctx.now),
                "type": f"{kind}.{action}",
                "timestamp": event_timestamp(ctx.now),
                "version": "1.0",
            },
            "tenant": {"id": tenant.id, "name": tenant.name, "domain": tenant.subdomain},
            "data": {
                "resource": {"type": kind, "id": row.id, "attributes": attributes},
                "relationships": _relationships(tenant, row),
            },
            "changes": {"previous": previous, "current": current, "modified_fields": modified},
            # request_id is the API request's id, filled in by the dispatcher.
            "metadata": {"source": "api_webhook_manager", "environment": "emulator", "request_id": None},
        }
    )
