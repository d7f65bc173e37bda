"""The general per-token rate limit (off unless configured)."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from wacr.testing import Clock, Emulator

from .conftest import Api


async def test_off_by_default(api: Api) -> None:
    for _ in range(70):
        reply = await api.get("/account")
        assert reply.status == 200
    assert "X-RateLimit-Limit" not in reply.headers


async def test_per_token_limit(api: Api) -> None:
    emulator = api.emulator
    emulator.set_rate_limit(3)
    emulator.add_token("second")
    remaining = []
    for _ in range(3):
        reply = await api.get("/account")
        assert reply.status == 200
        assert reply.headers["X-RateLimit-Limit"] == "3"
        remaining.append(reply.headers["X-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    emulator.clock.advance(20.5)
    limited = await api.post("/messages/text", {"phone": "+15551234567", "message": "x"})
    assert limited.status == 429
    assert limited.code == "RATE_LIMIT_EXCEEDED"
    assert limited.details == {"retry_after": 40}
    assert limited.headers["Retry-After"] == "40"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert emulator.outbox == []
    # Each token has its own window; the control API is never limited.
    assert (await api.get("/account", token="second")).status == 200
    assert (await api.get("/_emulator/outbox")).status == 200
    emulator.clock.advance(40)
    assert (await api.get("/account")).status == 200
    emulator.set_rate_limit(None)
    for _ in range(5):
        assert (await api.get("/account")).status == 200


async def test_configured_at_construction(aiohttp_client, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    emulator = Emulator(rate_limit=1, clock=clock)
    client: TestClient = await aiohttp_client(emulator.app)  # type: ignore[type-arg]
    api = Api(client, emulator)
    assert (await api.get("/account")).status == 200
    assert (await api.get("/account")).status == 429
    emulator.reset()
    assert (await api.get("/account")).status == 200
    assert (await api.get("/account")).status == 429
    assert (await api.get("/account", token="nope")).status == 401  # auth comes first
