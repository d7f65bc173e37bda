"""Contract fixtures: the emulator in this event loop, with every exchange checked against the spec.

A middleware records each API request and response the emulator handles; openapi-core
validates both against ``openapi/wacr-v2.yaml``, response headers included (the
``X-RateLimit-*`` headers the spec declares). A response that breaks the spec (a missing
required field, a wrong type, an undeclared status, a header of the wrong type) fails the test
that caused it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import pytest
from aiohttp import web
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

import wacr
from wacr.testing import Emulator

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "wacr-v2.yaml"


@cache
def spec() -> OpenAPI:
    return OpenAPI.from_file_path(str(SPEC))


@attrs.define
class Exchange:
    """One request/response pair the emulator served."""

    method: str
    path: str
    status: int
    problems: list[str]


@attrs.define
class Contract:
    """The emulator, a client bound to it, and what was checked."""

    emulator: Emulator
    client: wacr.Client
    exchanges: list[Exchange] = attrs.field(factory=list)

    def client_for(self, token: str) -> wacr.Client:
        return wacr.Client(token, base_url=self.emulator.base_url, max_retries=0)

    def statuses(self) -> list[int]:
        return [e.status for e in self.exchanges]


def _check(request: web.Request, body: bytes, response: web.Response) -> list[str]:
    host = f"{request.scheme}://{request.host}"
    content_type = request.headers.get("Content-Type", "application/json").split(";")[0]
    mock_request = MockRequest(
        host,
        request.method.lower(),
        request.path,
        args=dict(request.query),
        headers=dict(request.headers),
        data=body or None,
        content_type=content_type,
    )
    problems = []
    if response.status != 401:  # a 401 answers a request that lacks a valid token on purpose
        try:
            spec().validate_request(mock_request)
        except Exception as exc:  # openapi-core raises a family of errors; all of them are findings
            problems.append(f"request: {exc!r} {getattr(exc, '__cause__', '')!r}")
    mock_response = MockResponse(
        response.body if isinstance(response.body, bytes) else b"",
        status_code=response.status,
        headers=dict(response.headers),
        content_type=response.content_type,
    )
    try:
        spec().validate_response(mock_request, mock_response)
    except Exception as exc:
        problems.append(f"response {response.status}: {exc!r}: {response.body!r}"[:2000])
    return problems


@pytest.fixture
async def contract() -> AsyncIterator[Contract]:
    async for state in _contract(Emulator()):
        yield state


@pytest.fixture
async def limited_contract() -> AsyncIterator[Contract]:
    """The same, with the general per-token rate limit on (its answers carry ``X-RateLimit-*``)."""
    async for state in _contract(Emulator(rate_limit=1000)):
        yield state


async def _contract(emulator: Emulator) -> AsyncIterator[Contract]:
    seen: list[Exchange] = []

    @web.middleware
    async def validate(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        body = await request.read()
        response = await handler(request)
        if request.path.startswith("/api/v2") and isinstance(response, web.Response):
            seen.append(
                Exchange(request.method, request.path, response.status, _check(request, body, response))
            )
        return response

    emulator.app.middlewares.insert(0, validate)
    await emulator.start()
    client = wacr.Client(emulator.token, base_url=emulator.base_url, max_retries=0)
    state = Contract(emulator, client, seen)
    try:
        yield state
    finally:
        await client.aclose()
        await emulator.stop()
    broken = [f"{e.method} {e.path}: {p}" for e in seen for p in e.problems]
    assert not broken, "\n".join(broken)
    assert seen, "the test made no API call"


def names(items: Any) -> list[str]:
    return [item.name for item in items]
