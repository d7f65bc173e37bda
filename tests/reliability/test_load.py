"""Load and cancellation: one client, many concurrent calls, a connection limit, nothing leaked."""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import RawTestServer

import wacr
from wacr.testing import Emulator

from .conftest import TOKEN, eventually

CALLS = 10_000
LIMIT = 20


def _leftovers() -> list[warnings.WarningMessage]:
    """Collect garbage and return the ResourceWarnings it raised (unclosed sessions, sockets)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gc.collect()
    return [w for w in caught if issubclass(w.category, ResourceWarning)]


async def test_ten_thousand_concurrent_sends_through_one_client(emulator: Emulator) -> None:
    texts = [f"Order {i} shipped" for i in range(CALLS)]
    async with wacr.Client(TOKEN, base_url=emulator.base_url, connection_limit=LIMIT) as client:
        results = await asyncio.gather(
            *(client.messages.send_text(phone="+15551230000", message=text) for text in texts)
        )
        # Every call succeeded with its own answer, on its first attempt.
        assert sorted(r.message for r in results) == sorted(texts)
        assert {r.response.attempts for r in results if r.response} == {1}
        assert len({r.message_id for r in results}) == CALLS
    # The server got each send exactly once: no repeats, none lost.
    outbox = emulator.outbox
    assert len(outbox) == CALLS and sorted(m.text or "" for m in outbox) == sorted(texts)
    assert len(emulator.received) == CALLS
    # Nothing left behind: no task, no unclosed session or socket.
    assert asyncio.all_tasks() == {asyncio.current_task()}
    assert _leftovers() == []


class Gate:
    """A loopback API whose answers wait until released; counts requests in flight."""

    def __init__(self) -> None:
        self.arrived = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self.release = asyncio.Event()

    async def handle(self, request: web.BaseRequest) -> web.Response:
        self.arrived += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await self.release.wait()  # cancelled when the client goes away
        finally:
            self.in_flight -= 1
        body = b'{"success": true, "data": {"id": 1, "name": "Acme"}, "meta": {"request_id": "r"}}'
        return web.Response(body=body, content_type="application/json")


@pytest.fixture
async def gate() -> AsyncIterator[tuple[Gate, str]]:
    gate = Gate()
    server = RawTestServer(gate.handle, host="127.0.0.1", handler_cancellation=True)
    await server.start_server()
    yield gate, str(server.make_url("/api/v2"))
    gate.release.set()
    await server.close()


async def test_cancelling_calls_mid_flight_releases_their_connections(gate: tuple[Gate, str]) -> None:
    server, base_url = gate
    client = wacr.Client(TOKEN, base_url=base_url, connection_limit=LIMIT, max_retries=0)
    # 50 calls, 20 connections: 20 reach the server and hang there, 30 wait for a connection.
    first = [asyncio.create_task(client.account.get()) for _ in range(50)]
    await eventually(lambda: server.in_flight == LIMIT, what="20 calls in flight")
    for task in first:
        task.cancel()
    outcomes = await asyncio.gather(*first, return_exceptions=True)
    assert all(isinstance(o, asyncio.CancelledError) for o in outcomes)
    await eventually(lambda: server.in_flight == 0, what="the server to see the cancelled calls go")

    # Every connection is back: 20 new calls all reach the server at once (a leaked
    # connection would hold one of them back for ever).
    arrived = server.arrived
    second = [asyncio.create_task(client.account.get()) for _ in range(LIMIT)]
    await eventually(lambda: server.arrived - arrived == LIMIT, what="20 new calls in flight")
    server.release.set()
    accounts = await asyncio.gather(*second)
    assert [a.id for a in accounts] == [1] * LIMIT
    assert (await client.account.get()).name == "Acme"  # still usable
    assert server.most_in_flight == LIMIT  # the connection limit held

    await client.aclose()
    # The client's connections are closed, so the server's tasks for them end; nothing else runs.
    await eventually(lambda: asyncio.all_tasks() == {asyncio.current_task()}, what="every task to end")
    assert _leftovers() == []
