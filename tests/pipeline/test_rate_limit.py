"""The rate limiter's call point, with small test limiters against a loopback server."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import wacr
from tests.pipeline.conftest import TOKEN, MakeTransport, Reply, Scripted
from wacr._response import RateLimit
from wacr.errors import APITimeoutError, ConfigurationError, RateLimitError

OK = {"success": True, "data": {"id": 1}}
FIGURES = {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "59", "X-RateLimit-Reset": "1767225600"}


class TinyLimiter:
    """Counts what the transport asks; ``gate`` (when set) holds every acquire until it opens."""

    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.acquired: list[str] = []
        self.observed: list[tuple[str, RateLimit]] = []
        self.gate = gate

    async def acquire(self, key: str) -> None:
        self.acquired.append(key)
        if self.gate is not None:
            await self.gate.wait()

    def observe(self, key: str, rate_limit: RateLimit) -> None:
        self.observed.append((key, rate_limit))


async def test_acquire_before_every_attempt_and_observe_every_answer_with_figures(
    api: Scripted, make_transport: MakeTransport
) -> None:
    limiter = TinyLimiter()
    api.reply(
        Reply(
            429,
            {"success": False, "error": {"code": "RATE_LIMIT_EXCEEDED"}},
            headers={**FIGURES, "Retry-After": "0"},
        ),
        Reply(503, {"success": False}),  # no figures: nothing to observe
        Reply(200, OK, headers=FIGURES),
    )
    result = await make_transport(rate_limit=limiter).request("GET", "/contacts")
    assert result.info.attempts == 3 and len(api.seen) == 3
    assert len(limiter.acquired) == 3 and len(set(limiter.acquired)) == 1
    assert [figures for _, figures in limiter.observed] == [
        RateLimit(60, 59, result.info.rate_limit.reset if result.info.rate_limit else None)
    ] * 2
    (key,) = set(limiter.acquired)
    assert {k for k, _ in limiter.observed} == {key}
    assert TOKEN not in key and TOKEN[-8:] not in key


async def test_the_key_names_one_token_on_one_host(api: Scripted, make_transport: MakeTransport) -> None:
    keys = []
    for token, base in [
        (TOKEN, api.url()),
        (TOKEN, api.url()),
        ("other-token", api.url()),
        (TOKEN, api.url("/v3")),
    ]:
        limiter = TinyLimiter()
        await make_transport(rate_limit=limiter, token=token, base_url=base).request("GET", "/contacts")
        keys.append(limiter.acquired[0])
    assert keys[0] == keys[1] and len({keys[0], keys[2], keys[3]}) == 3


async def test_a_wait_beyond_the_timeout_is_a_timeout_that_sent_nothing(
    api: Scripted, make_transport: MakeTransport
) -> None:
    limiter = TinyLimiter(gate=asyncio.Event())  # never opens
    transport = make_transport(rate_limit=limiter)
    with pytest.raises(APITimeoutError) as caught:
        await transport.request("POST", "/messages/text", json=b"{}", timeout=0.2)
    assert caught.value.may_have_been_processed is False
    assert "rate limiter" in str(caught.value) and "nothing was sent" in str(caught.value)
    assert api.seen == [] and len(limiter.acquired) == 1


async def test_a_call_waiting_for_the_limiter_can_be_cancelled(
    api: Scripted, make_transport: MakeTransport
) -> None:
    gate = asyncio.Event()
    limiter = TinyLimiter(gate=gate)
    task = asyncio.ensure_future(make_transport(rate_limit=limiter).request("GET", "/contacts"))
    while not limiter.acquired:
        await asyncio.sleep(0.005)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    gate.set()
    await asyncio.sleep(0.02)
    assert api.seen == []


async def test_a_limiter_whose_observe_raises_never_loses_the_answer(
    api: Scripted, make_transport: MakeTransport
) -> None:
    class Broken(TinyLimiter):
        def observe(self, key: str, rate_limit: RateLimit) -> None:
            raise RuntimeError("limiter bug")

    api.reply(Reply(200, OK, headers=FIGURES))
    result = await make_transport(rate_limit=Broken()).request("POST", "/messages/text", json=b"{}")
    assert result.status == 200 and len(api.seen) == 1


async def test_a_429_that_is_not_retried_is_still_observed(
    api: Scripted, make_transport: MakeTransport
) -> None:
    limiter = TinyLimiter()
    api.reply(Reply(429, {"success": False, "error": {"code": "RATE_LIMIT_EXCEEDED"}}, headers=FIGURES))
    with pytest.raises(RateLimitError):
        await make_transport(rate_limit=limiter, max_retries=0).request("GET", "/contacts")
    assert len(limiter.observed) == 1


@pytest.mark.parametrize("bad", [object(), 60, "60/min", TinyLimiter])
def test_anything_but_a_limiter_is_refused(bad: Any) -> None:
    with pytest.raises(ConfigurationError, match=r"rate_limit must be a wacr\.RateLimiter"):
        wacr.Client(TOKEN, rate_limit=bad)


async def test_wacr_rate_limiter_paces_a_client(api: Scripted) -> None:
    api.reply(Reply(200, OK))  # no figures: the pace is the limiter's own
    limiter = wacr.RateLimiter(per_minute=1200)  # one call every 0.05 s
    async with wacr.Client(TOKEN, base_url=api.url(), rate_limit=limiter) as client:
        loop = asyncio.get_running_loop()
        started = loop.time()
        for _ in range(3):
            await client.request("GET", "/contacts")
        assert loop.time() - started >= 0.09
    assert len(api.seen) == 3
