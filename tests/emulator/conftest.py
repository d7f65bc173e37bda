"""Fixtures for the emulator's own tests: raw HTTP through pytest-aiohttp's test client."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient
from multidict import CIMultiDictProxy

from wacr.testing import Clock, Emulator

T0 = datetime(2026, 1, 1, 8, 0, 0, tzinfo=timezone.utc)


@dataclass
class Reply:
    """One HTTP answer, decoded."""

    status: int
    headers: CIMultiDictProxy[str]
    text: str

    @property
    def json(self) -> Any:
        return orjson.loads(self.text)

    @property
    def data(self) -> Any:
        return self.json["data"]

    @property
    def code(self) -> str:
        return str(self.json["error"]["code"])

    @property
    def details(self) -> Any:
        return self.json["error"]["details"]


class Api:
    """Raw calls to ``/api/v2`` with the emulator's token."""

    def __init__(self, client: TestClient[Any, Any], emulator: Emulator) -> None:
        self.client = client
        self.emulator = emulator
        self.token: str | None = emulator.token

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        token: str | None = "",
        headers: Mapping[str, str] | None = None,
        data: bytes | str | None = None,
        prefix: bool = True,
    ) -> Reply:
        sent = dict(headers or {})
        bearer = self.token if token == "" else token
        if bearer is not None:
            sent["Authorization"] = f"Bearer {bearer}"
        if json is not None:
            data = orjson.dumps(json)
            sent.setdefault("Content-Type", "application/json")
        url = "/api/v2" + path if prefix and not path.startswith("/_emulator") else path
        async with self.client.request(method, url, params=params, data=data, headers=sent) as response:
            return Reply(response.status, response.headers, await response.text())

    async def get(self, path: str, **kwargs: Any) -> Reply:
        return await self.call("GET", path, **kwargs)

    async def post(self, path: str, json: Any = None, **kwargs: Any) -> Reply:
        return await self.call("POST", path, json=json, **kwargs)

    async def patch(self, path: str, json: Any = None, **kwargs: Any) -> Reply:
        return await self.call("PATCH", path, json=json, **kwargs)

    async def delete(self, path: str, json: Any = None, **kwargs: Any) -> Reply:
        return await self.call("DELETE", path, json=json, **kwargs)


@pytest.fixture
def clock() -> Clock:
    """A clock frozen at 2026-01-01T08:00:00Z."""
    return Clock(T0)


@pytest.fixture
def emulator(clock: Clock) -> Emulator:
    return Emulator(clock=clock)


@pytest.fixture
async def api(emulator: Emulator, aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]]) -> Api:
    client = await aiohttp_client(emulator.app)
    return Api(client, emulator)


CONTACT = {
    "firstname": "Jane",
    "lastname": "Doe",
    "phone": "+919876543210",
    "type": "lead",
    "source_id": 1,
    "status_id": 1,
}


def contact_body(**changes: Any) -> dict[str, Any]:
    """A valid Create Contact body with some fields changed."""
    body = dict(CONTACT)
    body.update(changes)
    return body
