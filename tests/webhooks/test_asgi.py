"""router.asgi under uvicorn on loopback: mounted in FastAPI and Starlette, routed at an exact path,
and run on its own with the lifespan protocol (handlers drained, then cancelled, at shutdown)."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any

import aiohttp
import orjson
import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.routing import Mount, Route

from wacr import webhooks

from .conftest import event_body, uvicorn_serving


async def _post(session: aiohttp.ClientSession, url: str, body: bytes) -> tuple[int, str | None]:
    async with session.post(url, data=body, allow_redirects=False) as response:
        await response.read()
        return response.status, response.headers.get("Location")


async def test_mounted_in_fastapi_and_starlette_and_routed_at_an_exact_path() -> None:
    router = webhooks.Router(secret="s3cret")
    seen: list[str] = []

    @router.on("contact.created")
    async def record(event: webhooks.WebhookPayload) -> None:
        seen.append(event.event.id)

    fastapi_app = FastAPI()
    fastapi_app.mount("/hooks/wacr", router.asgi)
    exact = FastAPI()
    exact.router.routes.append(Route("/hooks/wacr", router.asgi))
    starlette_app = Starlette(routes=[Mount("/hooks/wacr", app=router.asgi)])
    assert router.asgi is router.asgi  # one app per router
    n = 0
    async with aiohttp.ClientSession() as session:
        for app, path in (
            (fastapi_app, "/hooks/wacr/"),
            (exact, "/hooks/wacr"),
            (starlette_app, "/hooks/wacr/"),
        ):
            async with uvicorn_serving(app, lifespan="off") as base:
                n += 1
                body = orjson.dumps(event_body(event_id=f"m{n}"))
                headers = {"X-Signature": webhooks.sign(body, "s3cret")}
                async with session.post(base + path, data=body, headers=headers) as response:
                    assert response.status == 200, (app, path)
                    assert await response.json() == {"received": True, "duplicate": False}
                assert (await _post(session, base + path, body))[0] == 401  # unsigned
                if path.endswith("/"):  # a mount's bare path is Starlette's redirect, not the router
                    assert await _post(session, base + "/hooks/wacr", body) == (307, base + "/hooks/wacr/")
    assert await router.drain(5)
    assert seen == ["m1", "m2", "m3"]


async def test_run_on_its_own_it_drains_then_cancels_handlers_at_shutdown() -> None:
    router = webhooks.Router()
    router.asgi.shutdown_timeout = 0.1
    started = asyncio.Event()
    outcome: list[str] = []

    @router.on("contact.created")
    async def quick(event: webhooks.WebhookPayload) -> None:
        await started.wait()
        outcome.append("quick done")

    @router.on("contact.created")
    async def stuck(event: webhooks.WebhookPayload) -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            outcome.append("stuck cancelled")
            raise

    async with uvicorn_serving(router.asgi, lifespan="on") as base, aiohttp.ClientSession() as session:
        assert (await _post(session, base + "/anything", orjson.dumps(event_body())))[0] == 200
        await asyncio.wait_for(started.wait(), 5)
    assert sorted(outcome) == ["quick done", "stuck cancelled"]
    assert router.pending == 0


async def test_other_scopes_a_websocket_is_closed_and_an_unknown_one_refused() -> None:
    router = webhooks.Router()
    sent: list[MutableMapping[str, Any]] = []
    inbox: list[MutableMapping[str, Any]] = [{"type": "websocket.connect"}]

    async def receive() -> MutableMapping[str, Any]:
        return inbox.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    await router.asgi({"type": "websocket", "path": "/"}, receive, send)
    assert sent == [{"type": "websocket.close", "code": 1008}]
    with pytest.raises(ValueError, match="'telepathy'"):
        await router.asgi({"type": "telepathy"}, receive, send)
