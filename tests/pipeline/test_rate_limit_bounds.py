"""How long the in-process limiter can make a call wait, against a loopback server: an answer with no
calls left holds the budget for at most a minute, a call whose slot comes after its timeout raises
RateLimitError at once (nothing sent), and the timeout bounds the whole attempt, limiter wait
included. The Redis limiter's side of it is in tests/fleet/test_redis_limiter_bounds.py."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wacr
from tests.pipeline.conftest import MakeTransport, Reply, Scripted
from wacr._response import RateLimit
from wacr.errors import APITimeoutError, RateLimitError

OK = {"success": True, "data": {"id": 1}}


def _none_left(reset_in: float) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": "6000",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(int(time.time() + reset_in)),
    }


@pytest.mark.parametrize("reset_in", [90, 3600, 86_400 * 365])
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_far_reset_holds_at_most_a_minute_and_a_call_that_cannot_wait_raises_at_once(
    api: Scripted, make_transport: MakeTransport, reset_in: int, method: str
) -> None:
    api.reply(Reply(200, OK, headers=_none_left(reset_in)))
    transport = make_transport(rate_limit=wacr.RateLimiter(per_minute=6000), max_retries=3)
    body = None if method == "GET" else b"{}"
    await transport.request(method, "/messages/text", json=body)
    for timeout in (2.0, 30.0):  # the default timeout is 30 s: still shorter than the hold
        started = time.monotonic()
        with pytest.raises(RateLimitError) as caught:
            await transport.request(method, "/messages/text", json=body, timeout=timeout)
        assert time.monotonic() - started < 1.0  # at once, not after the timeout
        error = caught.value
        assert error.status is None and error.may_have_been_processed is False
        assert error.retry_after is not None and 50 < error.retry_after <= 60  # the hold's cap
        assert error.method == method and error.url == api.url("/api/v2/messages/text")
        assert "nothing was sent" in str(error) and "rate limiter" in str(error)
    assert len(api.seen) == 1  # neither call was sent, nor retried


async def test_a_paced_slot_after_the_timeout_raises_at_once(
    api: Scripted, make_transport: MakeTransport
) -> None:
    api.reply(Reply(200, OK))
    transport = make_transport(rate_limit=wacr.RateLimiter(per_minute=20))  # 3 s apart
    await transport.request("GET", "/contacts")
    with pytest.raises(RateLimitError) as caught:
        await transport.request("GET", "/contacts", timeout=1.0)
    assert caught.value.retry_after is not None and 2 < caught.value.retry_after <= 3
    assert len(api.seen) == 1


@settings(max_examples=8, deadline=None)
@given(hold=st.floats(0.08, 0.2), max_wait=st.floats(0.0, 0.3), queued=st.integers(0, 2))
def test_a_caller_raises_at_once_exactly_when_its_slot_comes_after_max_wait(
    hold: float, max_wait: float, queued: int
) -> None:
    """A key held for ``hold`` s, ``queued`` callers ahead: a caller with ``max_wait`` < ``hold``
    raises RateLimitError without sleeping (on arrival); one with room for it gets its slot."""
    if abs(hold - max_wait) < 0.04:  # too close to call on a loaded machine
        max_wait = hold + 0.04 if max_wait > hold else max(0.0, hold - 0.04)

    async def run() -> tuple[str, float]:
        limiter = wacr.RateLimiter(per_minute=600_000)  # pacing negligible: the hold decides
        await limiter.acquire("k")
        reset = datetime.now(timezone.utc) + timedelta(seconds=hold)
        limiter.observe("k", RateLimit(600_000, 0, reset))
        ahead = [asyncio.ensure_future(limiter.acquire("k")) for _ in range(queued)]
        await asyncio.sleep(0)
        started = time.monotonic()
        try:
            await limiter.acquire("k", max_wait=max_wait)
            outcome = "slot"
        except RateLimitError as error:
            assert error.retry_after is not None and error.retry_after > max_wait
            outcome = "refused"
        took = time.monotonic() - started
        await asyncio.gather(*ahead)
        return outcome, took

    outcome, took = asyncio.run(run())
    if hold > max_wait:
        assert outcome == "refused" and took < max(max_wait, 0.03)
    else:
        assert outcome == "slot"


async def test_the_limiter_wait_counts_in_the_attempts_timeout(
    api: Scripted, make_transport: MakeTransport
) -> None:
    """interval 0.5 s, timeout 1 s: the second call waits ~0.5 s for its slot, so its first attempt's
    request gets only the ~0.5 s left; the retry had no wait and gets the whole second again."""
    api.reply(Reply(200, OK), Reply(200, OK, delay=5.0), Reply(200, OK, delay=0.75))
    events: list[wacr.HookEvent] = []
    transport = make_transport(
        rate_limit=wacr.RateLimiter(per_minute=120),
        event_hooks={"response": [events.append], "retry": [events.append]},
        timeout=1.0,
    )
    await transport.request("GET", "/contacts")
    started = time.monotonic()
    result = await transport.request("GET", "/contacts", max_retries=1)
    assert result.status == 200 and result.info.attempts == 2 and len(api.seen) == 3
    first = [e for e in events if e.kind == "response" and e.attempt == 1][1]
    assert isinstance(first.error, APITimeoutError)
    assert first.elapsed is not None and first.elapsed < 0.85  # not the whole 1 s after the wait
    assert "rate limiter" in str(first.error) and "1 s timeout" in str(first.error)
    assert time.monotonic() - started < 1.0 + 0.75 + 0.5


async def test_a_timed_out_request_after_a_wait_ends_within_the_timeout(api: Scripted) -> None:
    api.reply(Reply(200, OK), Reply(200, OK, delay=5.0))
    limiter = wacr.RateLimiter(per_minute=100)  # 0.6 s apart
    async with wacr.Client("t" * 40, base_url=api.url(), rate_limit=limiter, max_retries=0) as client:
        await client.request("GET", "/contacts")
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            await client.request("GET", "/contacts", timeout=1.0)
        assert time.monotonic() - started < 1.3  # the limiter's 0.6 s and the request's 0.4 s
