"""Fault injection: answers, bodies, headers, delays and dropped connections."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from wacr.testing import Emulator, Fault

from .conftest import Api

TEXT = {"phone": "+15551234567", "message": "hi"}


async def test_status_only_gives_an_error_envelope(api: Api) -> None:
    fault = api.emulator.inject(Fault("POST /messages/text", status=503))
    reply = await api.post("/messages/text", TEXT)
    assert reply.status == 503
    assert reply.code == "SERVICE_UNAVAILABLE"
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.headers["X-Request-Id"] == reply.json["meta"]["request_id"]
    assert api.emulator.outbox == []  # the real handler did not run
    assert api.emulator.faults == []  # times=1 by default
    assert fault.times == 0
    assert (await api.post("/messages/text", TEXT)).status == 200


async def test_429_with_retry_after(api: Api) -> None:
    api.emulator.inject("GET /account", status=429, retry_after=1.2)
    reply = await api.get("/account")
    assert reply.status == 429
    assert reply.code == "RATE_LIMIT_EXCEEDED"
    assert reply.details == {"retry_after": 2}
    assert reply.headers["Retry-After"] == "2"


async def test_raw_bodies(api: Api) -> None:
    emulator = api.emulator
    emulator.inject("GET /account", status=502, body="<html><body>Bad Gateway</body></html>")
    html = await api.get("/account")
    assert (html.status, html.text) == (502, "<html><body>Bad Gateway</body></html>")
    assert html.headers["Content-Type"].startswith("text/html")
    emulator.inject("GET /account", status=200, body='{"success": true, "da')
    truncated = await api.get("/account")
    assert (truncated.status, truncated.text) == (200, '{"success": true, "da')
    assert truncated.headers["Content-Type"] == "application/json"
    emulator.inject("GET /account", status=200, body=b"")
    empty = await api.get("/account")
    assert (empty.status, empty.text) == (200, "")
    emulator.inject("GET /account", json={"success": True, "message": "ok"})
    no_data = await api.get("/account")
    assert (no_data.status, no_data.json) == (200, {"success": True, "message": "ok"})
    emulator.inject("GET /account", status=500, body="oops", content_type="text/plain")
    plain = await api.get("/account")
    assert plain.headers["Content-Type"].startswith("text/plain")


async def test_run_handler_keeps_the_effects(api: Api) -> None:
    api.emulator.inject("POST /messages/text", status=500, run_handler=True)
    reply = await api.post("/messages/text", TEXT)
    assert reply.status == 500
    assert reply.code == "INTERNAL_ERROR"
    assert len(api.emulator.outbox) == 1  # sent, although the client saw a 500


async def test_headers_are_added_to_the_real_answer(api: Api) -> None:
    api.emulator.inject("GET /account", headers={"Retry-After": "3", "X-Extra": "1"})
    reply = await api.get("/account")
    assert reply.status == 200
    assert reply.data["id"] == 1
    assert (reply.headers["Retry-After"], reply.headers["X-Extra"]) == ("3", "1")


async def test_delay(api: Api) -> None:
    api.emulator.inject("GET /account", delay=0.2)
    started = time.perf_counter()
    reply = await api.get("/account")
    assert reply.status == 200
    assert time.perf_counter() - started >= 0.2


async def test_delay_past_the_client_timeout() -> None:
    # A started emulator (not aiohttp's test server, which cancels handlers on disconnect).
    async with Emulator() as emulator, aiohttp.ClientSession() as session:
        emulator.inject("POST /messages/text", delay=0.3)
        timeout = aiohttp.ClientTimeout(total=0.05)
        with pytest.raises(asyncio.TimeoutError):
            await session.post(
                emulator.base_url + "/messages/text",
                json=TEXT,
                headers={"Authorization": f"Bearer {emulator.token}"},
                timeout=timeout,
            )
        # The server finishes the work the client gave up on.
        for _ in range(50):
            if emulator.outbox:
                break
            await asyncio.sleep(0.02)
        assert len(emulator.outbox) == 1


async def test_drop_before_does_no_work(api: Api) -> None:
    api.emulator.inject("POST /messages/text", drop="before")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.post("/messages/text", TEXT)
    assert api.emulator.outbox == []
    log = api.emulator.received
    assert (log[-1].path, log[-1].fault, log[-1].status) == ("/messages/text", True, None)


async def test_drop_after_does_the_work(api: Api) -> None:
    api.emulator.inject("POST /messages/text", drop="after")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.post("/messages/text", TEXT)
    assert len(api.emulator.outbox) == 1
    assert api.emulator.received[-1].json == TEXT
    assert (await api.post("/messages/text", TEXT)).status == 200


async def test_matching(api: Api) -> None:
    emulator = api.emulator
    emulator.inject("/contacts*", status=500, times=None)
    assert (await api.get("/contacts")).status == 500
    assert (await api.get("/contacts/5")).status == 500
    assert (await api.post("/contacts/batch", {})).status == 500
    assert (await api.get("/groups")).status == 200
    emulator.clear_faults()
    emulator.inject("DELETE /api/v2/groups/*", status=500, times=2)
    assert (await api.get("/groups/1")).status == 404  # other method
    assert (await api.delete("/groups/1")).status == 500
    assert (await api.delete("/groups/2")).status == 500
    assert (await api.delete("/groups/3")).status == 404  # used up
    emulator.inject(Fault(status=418))
    assert (await api.get("/anything")).status == 418
    first = emulator.inject("GET /account", status=500)
    emulator.inject("GET /account", status=502)
    assert (await api.get("/account")).status == 500
    assert first not in emulator.faults
    assert (await api.get("/account")).status == 502


async def test_faults_come_before_auth(api: Api) -> None:
    api.emulator.inject("GET /account", status=502, body="<html>proxy</html>")
    assert (await api.get("/account", token=None)).status == 502


def test_fault_arguments() -> None:
    with pytest.raises(ValueError):
        Fault(drop="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Fault(times=0)
    with pytest.raises(ValueError):
        Fault.from_json({"match": "*", "colour": "red"})
    fault = Fault.from_json({"match": "POST /x", "status": 500, "headers": None, "body": "b"})
    assert fault.matches("POST", "/x") and not fault.matches("GET", "/x")
    assert fault.to_json()["body"] == "b"
