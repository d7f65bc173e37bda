"""Fixtures for the SDK tests: a loopback server that records what the client sends.

It answers every operation of the spec with a minimal success envelope built from the
operation's result model (only its required fields), so the tests see exactly the method,
path, query and body that went over the wire through the real aiohttp stack.
"""

from __future__ import annotations

import re
import typing
from collections.abc import AsyncIterator
from typing import Any

import attrs
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import wacr
from wacr import models
from wacr._operations import OPERATIONS
from wacr.testing import Emulator

TOKEN = "tok_sdk_9b8c7d6e5f4a3b2c1d0e"

_ROUTES = [
    (op, re.compile("^/api/v2" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", op.path) + "$"))
    for op in OPERATIONS.values()
]


def minimal(model: str) -> dict[str, Any]:
    """The smallest valid payload of a model: its required fields only."""
    cls = getattr(models, model)
    hints = typing.get_type_hints(cls)
    examples: dict[Any, Any] = {int: 1, bool: True, str: "x"}
    return {
        field.metadata.get("json", field.name): minimal(hint.__name__)
        if attrs.has(hint := hints[field.name])
        else examples[hint]
        for field in attrs.fields(cls)
        if field.default is attrs.NOTHING
    }


@attrs.define
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    query: list[tuple[str, str]]
    body: Any
    headers: dict[str, str]


class Recorder:
    """The recording server's state."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.server: TestServer | None = None
        #: Overrides: operation id -> (status, JSON body).
        self.answers: dict[str, tuple[int, Any]] = {}

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api/v2"))

    @property
    def last(self) -> Recorded:
        return self.requests[-1]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        self.requests.append(
            Recorded(
                method=request.method,
                path=request.path,
                query=list(request.query.items()),
                body=orjson.loads(raw) if raw else None,
                headers=dict(request.headers),
            )
        )
        for op, pattern in _ROUTES:
            if op.method == request.method and pattern.match(request.path):
                break
        else:
            return web.json_response({"success": False, "error": {"code": "NOT_FOUND"}}, status=404)
        if op.operation_id in self.answers:
            status, body = self.answers[op.operation_id]
            return web.Response(status=status, body=orjson.dumps(body), content_type="application/json")
        meta: dict[str, Any] = {
            "request_id": f"req-{len(self.requests)}",
            "timestamp": "2026-01-01T00:00:00+00:00",
        }
        if op.data_model is None:
            data: Any = None
        elif op.is_list:
            data = []
            meta["pagination"] = {
                "total": 0,
                "count": 0,
                "per_page": 15,
                "current_page": 1,
                "total_pages": 1,
                "has_more": False,
            }
        else:
            data = minimal(op.data_model)
            if op.data_model.startswith("Batch"):
                data["summary"] = {"total": 0}
        if op.operation_id == "comments_add":
            return web.json_response({"success": True, "message": "Comment added successfully"})
        return web.json_response({"success": True, "data": data, "message": "ok", "meta": meta})


@pytest.fixture
async def recorder() -> AsyncIterator[Recorder]:
    rec = Recorder()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", rec.handle)
    rec.server = TestServer(app, host="127.0.0.1")
    await rec.server.start_server()
    try:
        yield rec
    finally:
        await rec.server.close()


@pytest.fixture
async def client(recorder: Recorder) -> AsyncIterator[wacr.Client]:
    async with wacr.Client(TOKEN, base_url=recorder.base_url, max_retries=0) as c:
        yield c


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """A running emulator (the SDK tests that need the API's real answers)."""
    async with Emulator() as emulator:
        yield emulator


@pytest.fixture
async def api(emu: Emulator) -> AsyncIterator[wacr.Client]:
    """A client of :func:`emu`, without retries."""
    async with wacr.Client(emu.token, base_url=emu.base_url, max_retries=0) as client:
        yield client
