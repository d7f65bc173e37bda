"""Fixtures for the core tests: a scripted loopback API server and a transport aimed at it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import attrs
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from multidict import CIMultiDictProxy, MultiMapping

from wacr._transport import Transport

TOKEN = "tok_live_5f3c9a7e1d2b4c6a8e0f"


@attrs.define
class Reply:
    """One scripted answer of the test server."""

    status: int = 200
    body: Any = attrs.field(factory=lambda: {"success": True, "data": {"ok": True}})
    headers: dict[str, str] = attrs.field(factory=dict)
    #: Seconds to stall before answering (cut short when the test ends).
    delay: float = 0.0
    #: "before": close the connection instead of answering; "mid": send part of the body, then close.
    drop: str | None = None


@attrs.define
class Seen:
    """A request the test server received."""

    method: str
    path: str
    query: MultiMapping[str]
    headers: CIMultiDictProxy[str]
    body: bytes


class Scripted:
    """Answers requests from a script; the last reply repeats. Records what it received."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.seen: list[Seen] = []
        self.release = asyncio.Event()
        #: Set when a "mid" reply has sent its first bytes.
        self.streaming = asyncio.Event()
        self.server: TestServer | None = None

    def reply(self, *replies: Reply) -> Scripted:
        self.replies.extend(replies)
        return self

    def url(self, path: str = "/api/v2") -> str:
        assert self.server is not None
        return str(self.server.make_url(path))

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.seen.append(Seen(request.method, request.path, request.query, request.headers, body))
        reply = self.replies.pop(0) if len(self.replies) > 1 else (self.replies or [Reply()])[0]
        if reply.delay:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.release.wait(), reply.delay)
        payload = reply.body
        if not isinstance(payload, (bytes, str)):
            payload = orjson.dumps(payload)
        data = payload.encode() if isinstance(payload, str) else payload
        headers = {"Content-Type": "application/json", **reply.headers}
        if reply.drop == "before":
            assert request.transport is not None
            request.transport.abort()
            return web.Response(status=reply.status)
        if reply.drop == "mid":
            resp = web.StreamResponse(status=reply.status, headers=headers)
            resp.content_length = len(data) + 1000
            await resp.prepare(request)
            await resp.write(data)
            self.streaming.set()
            await asyncio.wait_for(self.release.wait(), 5)
            assert request.transport is not None
            request.transport.abort()
            return resp
        return web.Response(status=reply.status, body=data, headers=headers)


@pytest.fixture
async def api() -> AsyncIterator[Scripted]:
    """A loopback server answering under /api/v2 from a script."""
    scripted = Scripted()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", scripted.handle)
    server = TestServer(app, handler_cancellation=True)
    await server.start_server()
    scripted.server = server
    yield scripted
    scripted.release.set()
    await server.close()


MakeTransport = Callable[..., Transport]


@pytest.fixture
async def make_transport(api: Scripted) -> AsyncIterator[MakeTransport]:
    """Build transports aimed at ``api`` with tiny backoff waits; all closed at the end."""
    made: list[Transport] = []

    def make(**kwargs: Any) -> Transport:
        options: dict[str, Any] = {
            "token": TOKEN,
            "base_url": api.url(),
            "backoff_base": 0.001,
            "backoff_cap": 0.005,
            "timeout": 5.0,
        }
        options.update(kwargs)
        transport = Transport(**options)
        made.append(transport)
        return transport

    yield make
    for transport in made:
        await transport.aclose()
