"""Shared payloads for the webhook tests: the documented example and one body per event type."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import socket
from collections.abc import AsyncIterator
from typing import Any, Literal

import uvicorn

#: The documented `contact.created` example (RASL Webhook Format Reference), as far as it was
#: captured: the page is cut off inside `attributes` (`state` is "N..." there).
DOCUMENTED_EXAMPLE: dict[str, Any] = {
    "event": {
        "id": "evt_1702468200_abc123",
        "type": "contact.created",
        "timestamp": "2025-12-12T14:30:00.000Z",
        "version": "1.0",
    },
    "tenant": {"id": 123, "name": "Acme Corporation", "domain": "acme"},
    "data": {
        "resource": {
            "type": "contact",
            "id": 456,
            "attributes": {
                "firstname": "John",
                "lastname": "Doe",
                "company": "Acme Inc",
                "type": "individual",
                "description": "Premium customer",
                "country_id": 1,
                "zip": "12345",
                "city": "New York",
                "state": "NY",
            },
        },
        "relationships": {},
    },
    "changes": {"previous": None, "current": {"firstname": "John"}, "modified_fields": None},
    "metadata": {
        "source": "api_webhook_manager",
        "environment": "production",
        "request_id": "00000000-0000-0000-0000-000000000000",
    },
}

ATTRIBUTES: dict[str, dict[str, Any]] = {
    "contact": {"firstname": "Jane", "lastname": "Doe", "phone": "+15551234567", "status_id": 3},
    "source": {"name": "Website Form", "created_at": "2026-01-01T00:00:00.000Z"},
    "status": {"name": "Qualified", "color": "#22C55E"},
}


def event_body(
    event_type: str = "contact.created", event_id: str = "evt_1767225600_a1b2c3"
) -> dict[str, Any]:
    """A complete payload of ``event_type`` with the documented base shape."""
    resource, _, action = event_type.partition(".")
    body = copy.deepcopy(DOCUMENTED_EXAMPLE)
    body["event"].update(id=event_id, type=event_type)
    attributes = dict(ATTRIBUTES.get(resource, {"anything": True}))
    body["data"]["resource"] = {"type": resource, "id": 7, "attributes": attributes}
    if action == "updated":
        body["changes"] = {
            "previous": {"name": "Old"},
            "current": {"name": "New"},
            "modified_fields": ["name"],
        }
    elif action == "deleted":
        body["changes"] = {"previous": attributes, "current": {}, "modified_fields": None}
    else:
        body["changes"] = {"previous": None, "current": attributes, "modified_fields": None}
    return body


@contextlib.asynccontextmanager
async def uvicorn_serving(app: Any, *, lifespan: Literal["auto", "on", "off"] = "on") -> AsyncIterator[str]:
    """Serve the ASGI ``app`` with uvicorn on a free loopback port: yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan=lifespan, access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():  # uvicorn exits (SystemExit) when the app's startup fails
                raise RuntimeError(f"uvicorn stopped before it started: {task.exception()!r}")
            await asyncio.sleep(0.005)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        try:
            await task
        except SystemExit as exc:
            raise RuntimeError(f"uvicorn exited with {exc.code}") from None
        finally:
            sock.close()
