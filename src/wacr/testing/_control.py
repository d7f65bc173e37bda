"""The control API under ``/_emulator/``: the Python API of :class:`Emulator` over HTTP (no auth)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

import orjson
from aiohttp import web

from wacr.testing._clock import isoformat, parse_datetime
from wacr.testing._core import digits_of
from wacr.testing._faults import Fault

if TYPE_CHECKING:
    from wacr.testing._emulator import Emulator
    from wacr.testing._memory import Memory

__all__ = ["configure", "control_routes", "snapshot"]

_JSON_HEADERS: Final = {"Content-Type": "application/json"}


_Control = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _control_json(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(data), status=status, headers=_JSON_HEADERS)


def _control_error(message: str, status: int = 400) -> web.Response:
    return _control_json({"success": False, "message": message}, status)


async def _json_body(request: web.Request) -> Any:
    raw = await request.read()
    return orjson.loads(raw) if raw.strip() else {}


def control_routes(emulator: Emulator) -> list[web.RouteDef]:
    def guarded(handler: _Control) -> _Control:
        async def wrapper(request: web.Request) -> web.StreamResponse:
            try:
                return await handler(request)
            except orjson.JSONDecodeError:
                return _control_error("The request body must be JSON.")
            except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
                # The control API answers a bad request with a 400 naming the problem, never a 500.
                return _control_error(f"Bad control request: {type(exc).__name__}: {exc}")

        return wrapper

    async def get_outbox(request: web.Request) -> web.StreamResponse:
        phone = request.query.get("phone")
        messages = emulator.outbox
        if phone:
            digits = digits_of(phone)
            messages = [m for m in messages if m.phone == digits]
        return _control_json({"messages": [m.to_json() for m in messages]})

    async def delete_outbox(request: web.Request) -> web.StreamResponse:
        emulator.clear_outbox()
        return _control_json({"success": True})

    async def get_requests(request: web.Request) -> web.StreamResponse:
        return _control_json({"requests": [r.to_json() for r in emulator.received]})

    async def delete_requests(request: web.Request) -> web.StreamResponse:
        emulator.clear_received()
        return _control_json({"success": True})

    async def get_faults(request: web.Request) -> web.StreamResponse:
        return _control_json({"faults": [f.to_json() for f in emulator.faults]})

    async def post_faults(request: web.Request) -> web.StreamResponse:
        data = await _json_body(request)
        items = data if isinstance(data, list) else [data]
        faults = [emulator.inject(Fault.from_json(item)) for item in items]
        return _control_json({"faults": [f.to_json() for f in faults]}, 201)

    async def delete_faults(request: web.Request) -> web.StreamResponse:
        emulator.clear_faults()
        return _control_json({"success": True})

    def clock_state() -> dict[str, Any]:
        return {"now": isoformat(emulator.clock.now()), "frozen": emulator.clock.frozen}

    async def get_clock(request: web.Request) -> web.StreamResponse:
        return _control_json(clock_state())

    async def post_clock(request: web.Request) -> web.StreamResponse:
        data = await _json_body(request)
        clock = emulator.clock
        if data.get("set") is not None:
            clock.set(parse_datetime(str(data["set"])))
        if data.get("advance") is not None:
            clock.advance(float(data["advance"]))
        if data.get("resume"):
            clock.resume()
        return _control_json(clock_state())

    async def post_reset(request: web.Request) -> web.StreamResponse:
        emulator.reset()
        return _control_json({"success": True})

    async def get_config(request: web.Request) -> web.StreamResponse:
        return _control_json(emulator.snapshot())

    async def post_config(request: web.Request) -> web.StreamResponse:
        data = await _json_body(request)
        if not isinstance(data, dict):
            return _control_error("The config must be a JSON object.")
        emulator.configure(data)
        return _control_json(emulator.snapshot())

    async def post_inbound(request: web.Request) -> web.StreamResponse:
        data = await _json_body(request)
        message_id = emulator.receive_message(
            str(data["phone"]), str(data["message"]), tenant_id=int(data.get("tenant_id", 1))
        )
        return _control_json({"id": message_id}, 201)

    async def get_webhooks(request: web.Request) -> web.StreamResponse:
        return _control_json({"webhooks": [w.to_json() for w in emulator.webhooks]})

    async def post_webhooks(request: web.Request) -> web.StreamResponse:
        data = await _json_body(request)
        if not isinstance(data, dict):
            return _control_error('The webhook must be a JSON object: {"url", "secret"?, "events"?}.')
        hook = emulator.add_webhook(
            data["url"],
            secret=data.get("secret"),
            events=data.get("events"),
            tenant_id=int(data.get("tenant_id", 1)),
        )
        return _control_json({"webhook": hook.to_json()}, 201)

    async def delete_webhooks(request: web.Request) -> web.StreamResponse:
        emulator.clear_webhooks()
        return _control_json({"success": True})

    async def delete_webhook(request: web.Request) -> web.StreamResponse:
        webhook_id = request.match_info["id"]
        if not webhook_id.isdigit() or int(webhook_id) not in {w.id for w in emulator.webhooks}:
            return _control_error(f"No webhook {webhook_id}.", 404)
        emulator.remove_webhook(int(webhook_id))
        return _control_json({"success": True})

    async def get_deliveries(request: web.Request) -> web.StreamResponse:
        return _control_json({"deliveries": [d.to_json() for d in emulator.deliveries]})

    async def post_flush(request: web.Request) -> web.StreamResponse:
        # Answers once the queued deliveries are done, so a test can then check its receiver.
        data = await _json_body(request)
        timeout = float(data.get("timeout", 10.0)) if isinstance(data, dict) else 10.0
        try:
            await emulator.flush_webhooks(timeout)
        except asyncio.TimeoutError:
            return _control_error(f"Webhook deliveries still pending after {timeout:g} s.", 504)
        return _control_json({"deliveries": [d.to_json() for d in emulator.deliveries]})

    table: list[tuple[str, str, _Control]] = [
        ("GET", "/outbox", get_outbox),
        ("DELETE", "/outbox", delete_outbox),
        ("GET", "/requests", get_requests),
        ("DELETE", "/requests", delete_requests),
        ("GET", "/faults", get_faults),
        ("POST", "/faults", post_faults),
        ("DELETE", "/faults", delete_faults),
        ("GET", "/clock", get_clock),
        ("POST", "/clock", post_clock),
        ("POST", "/reset", post_reset),
        ("GET", "/config", get_config),
        ("POST", "/config", post_config),
        ("POST", "/inbound", post_inbound),
        ("GET", "/webhooks", get_webhooks),
        ("POST", "/webhooks", post_webhooks),
        ("DELETE", "/webhooks", delete_webhooks),
        ("GET", "/webhooks/deliveries", get_deliveries),
        ("POST", "/webhooks/flush", post_flush),
        ("DELETE", "/webhooks/{id}", delete_webhook),
    ]
    return [web.route(method, f"/_emulator{path}", guarded(handler)) for method, path, handler in table]


def snapshot(memory: Memory) -> dict[str, Any]:
    """The configuration as JSON (``GET /_emulator/config``)."""
    with memory.lock:
        state = memory.state
        return {
            "rate_limit": state.rate_limit,
            "clock": {"now": isoformat(memory.clock.now()), "frozen": memory.clock.frozen},
            "tokens": [
                {"token": t.token, "tenant_id": t.tenant_id, "scopes": sorted(t.scopes)}
                for t in state.tokens.values()
            ],
            "tenants": [
                {
                    "id": tenant.id,
                    "name": tenant.name,
                    "subdomain": tenant.subdomain,
                    "whatsapp_configured": tenant.whatsapp_configured,
                    "defaults": {
                        "status_id": tenant.default_status_id,
                        "source_id": tenant.default_source_id,
                        "assignee_id": tenant.default_assignee_id,
                    },
                    "plan": {
                        "plan_name": tenant.plan.plan_name,
                        "contacts": tenant.plan.contacts,
                        "conversations": tenant.plan.conversations,
                        "campaigns": tenant.plan.campaigns,
                        "staff": tenant.plan.staff,
                        "features": dict(tenant.plan.features),
                    },
                    "counts": {"contacts": len(tenant.contacts), "chats": len(tenant.chats)},
                }
                for tenant in state.tenants.values()
            ],
        }


def configure(emulator: Emulator, config: Mapping[str, Any]) -> None:
    """Apply a ``POST /_emulator/config`` body (see :meth:`Emulator.configure`)."""
    tenant_id = int(config.get("tenant_id", 1))
    for token in config.get("tokens") or ():
        emulator.add_token(
            token["token"], token.get("scopes"), tenant_id=int(token.get("tenant_id", tenant_id))
        )
    if "rate_limit" in config:
        emulator.set_rate_limit(config["rate_limit"])
    if "whatsapp_configured" in config:
        emulator.set_whatsapp_configured(bool(config["whatsapp_configured"]), tenant_id=tenant_id)
    plan = config.get("plan")
    if plan:
        emulator.set_plan(tenant_id=tenant_id, **plan)
    defaults = config.get("defaults")
    if defaults is not None:
        emulator.set_auto_create_defaults(
            defaults.get("status_id"),
            defaults.get("source_id"),
            defaults.get("assignee_id"),
            tenant_id=tenant_id,
        )
    for target in config.get("opt_out") or ():
        emulator.opt_out(target, tenant_id=tenant_id)
    for target in config.get("opt_in") or ():
        emulator.opt_out(target, opted_out=False, tenant_id=tenant_id)
    for template in config.get("templates") or ():
        emulator.add_template(tenant_id=tenant_id, **template)
