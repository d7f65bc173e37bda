"""Event hooks of a cancelled attempt, against a loopback server that stalls: every "request" event
has its "response" (error: the CancelledError), however the call is cancelled and whichever
attempt it is in; an attempt cancelled before its "request" (waiting for the limiter) has neither."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import wacr
from tests.pipeline.conftest import MakeTransport, Reply, Scripted
from tests.pipeline.test_hooks import Recorder as HookRecorder

OK = {"success": True, "data": {"id": 7}}
LIMITED = {"success": False, "error": {"code": "RATE_LIMIT_EXCEEDED", "message": "slow down"}}
STALL = Reply(200, OK, delay=30.0)  # cut short when the test ends


class Recorder(HookRecorder):
    """The hooks of tests/pipeline/test_hooks.py (its async one awaits while the task is cancelled)."""

    def kinds(self) -> list[tuple[str, int]]:
        return [(e.kind, e.attempt) for e in self.events]


async def _cancel_task(call: Awaitable[Any]) -> None:
    task = asyncio.ensure_future(call)
    await asyncio.sleep(0.15)
    task.cancel()
    await task


async def _wait_for(call: Awaitable[Any]) -> None:
    await asyncio.wait_for(call, 0.15)


async def _sibling_fails(call: Awaitable[Any]) -> None:
    """gather's sibling fails; the caller cancels what is left, as a TaskGroup does."""

    async def boom() -> None:
        await asyncio.sleep(0.15)
        raise LookupError("sibling")

    task = asyncio.ensure_future(call)
    try:
        await asyncio.gather(task, boom())
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


CANCELS: dict[str, tuple[Callable[[Awaitable[Any]], Awaitable[None]], type[BaseException]]] = {
    "task.cancel()": (_cancel_task, asyncio.CancelledError),
    "wait_for": (_wait_for, asyncio.TimeoutError),
    "a sibling failing": (_sibling_fails, LookupError),
}


@pytest.mark.parametrize("how", list(CANCELS))
@pytest.mark.parametrize("retried_first", [False, True], ids=["first attempt", "after a retry"])
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_cancelled_attempt_fires_its_response_hooks(
    api: Scripted, make_transport: MakeTransport, how: str, retried_first: bool, method: str
) -> None:
    if retried_first:  # a 429 is retried for any method: cancelled in the second attempt
        api.reply(Reply(429, LIMITED, headers={"Retry-After": "0"}), STALL)
    else:
        api.reply(STALL)
    recorder = Recorder()
    hooks = {
        "request": [recorder.sync],
        "response": [recorder.later, recorder.sync],
        "retry": [recorder.sync],
    }
    transport = make_transport(event_hooks=hooks)
    cancel, raised = CANCELS[how]
    body = None if method == "GET" else b"{}"
    with pytest.raises(raised):
        await cancel(transport.request(method, "/contacts", json=body))
    last = 2 if retried_first else 1
    requests = [e for e in recorder.events if e.kind == "request"]
    responses = [e for e in recorder.events if e.kind == "response"]
    assert len(requests) == last and len(responses) == 2 * last  # two response hooks each
    assert recorder.kinds()[-3:] == [("request", last), ("response", last), ("response", last)]
    cancelled = responses[-2:]
    assert all(isinstance(e.error, asyncio.CancelledError) for e in cancelled), cancelled
    assert all(e.status is None and e.request_id is None and e.elapsed is not None for e in cancelled)
    assert len(api.seen) == last


async def test_a_call_cancelled_while_it_waits_for_the_limiter_fires_no_hook(
    api: Scripted, make_transport: MakeTransport
) -> None:
    api.reply(Reply(200, OK))
    recorder = Recorder()
    hooks = {"request": [recorder.sync], "response": [recorder.sync]}
    limiter = wacr.RateLimiter(per_minute=60)  # a slot a second
    transport = make_transport(event_hooks=hooks, rate_limit=limiter)
    await transport.request("GET", "/contacts")
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(transport.request("GET", "/contacts"), 0.1)
    assert recorder.kinds() == [("request", 1), ("response", 1)]  # the first call's only
    assert len(api.seen) == 1


async def test_a_call_cancelled_inside_a_request_hook_still_gets_its_response(
    api: Scripted, make_transport: MakeTransport
) -> None:
    api.reply(Reply(200, OK))
    recorder, entered = Recorder(), asyncio.Event()

    async def stuck(event: wacr.HookEvent) -> None:
        entered.set()
        await asyncio.sleep(30)  # cancelled here: the first hook has seen the "request"

    transport = make_transport(event_hooks={"request": [recorder.sync, stuck], "response": [recorder.sync]})
    task = asyncio.ensure_future(transport.request("GET", "/account"))
    await asyncio.wait_for(entered.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert recorder.kinds() == [("request", 1), ("response", 1)]
    assert isinstance(recorder.events[1].error, asyncio.CancelledError)
    assert api.seen == []  # nothing was sent
    await transport.aclose()


@pytest.mark.parametrize("waiting_in", ["the limiter", "a request hook"])
async def test_closing_the_client_while_a_call_waits_to_be_sent_ends_it_unsent(
    api: Scripted, make_transport: MakeTransport, waiting_in: str
) -> None:
    api.reply(Reply(200, OK))
    entered = asyncio.Event()

    async def stuck(event: wacr.HookEvent) -> None:
        entered.set()
        await asyncio.sleep(0.3)

    if waiting_in == "the limiter":
        transport = make_transport(rate_limit=wacr.RateLimiter(per_minute=120))  # a slot each 0.5 s
        await transport.request("GET", "/account")  # takes the first slot
        task = asyncio.ensure_future(transport.request("GET", "/account"))  # waits ~0.5 s
        await asyncio.sleep(0.1)
    else:
        transport = make_transport(event_hooks={"request": [stuck]})
        task = asyncio.ensure_future(transport.request("GET", "/account"))
        await asyncio.wait_for(entered.wait(), 10)
    sent = len(api.seen)
    await transport.aclose()
    with pytest.raises(
        wacr.APIConnectionError, match=r"closed .* while this call waited to be sent; it was not sent"
    ):
        await task
    assert not task.exception().may_have_been_processed  # type: ignore[union-attr]
    assert len(api.seen) == sent  # nothing more was sent
    with pytest.raises(wacr.ConfigurationError, match="the client is closed"):
        transport.request("GET", "/account")  # a call made now: refused where it is made
