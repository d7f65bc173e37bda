"""``reset()`` gives a fresh state that nothing begun before it can reach: a request still being
handled, a webhook sender still running, a clock assigned to ``emulator.clock``. Each is checked in
both serving modes (in the test's event loop, and in a background thread as the pytest fixture
serves it), against a real server over loopback."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from hypothesis import given, settings
from hypothesis import strategies as st

from wacr.testing import Clock, Emulator

from .conftest import T0


async def eventually(check: Callable[[], bool], what: str, within: float = 10.0) -> None:
    """Wait until ``check()`` holds (a liveness bound, not a timing assertion)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"{what}: not within {within} s")
        await asyncio.sleep(0.005)


@contextlib.asynccontextmanager
async def serving(mode: str, **options: Any) -> AsyncIterator[Emulator]:
    """An emulator served in the running loop (``"loop"``) or from its own thread (``"thread"``)."""
    emulator = Emulator(**options)
    if mode == "loop":
        async with emulator:
            yield emulator
    else:
        emulator.start_in_thread()
        try:
            yield emulator
        finally:
            emulator.stop_thread()


MODES = ["loop", "thread"]


# --- webhook senders ----------------------------------------------------------------------------


class Receiver:
    """A webhook receiver: ``/hang`` holds every delivery until released, ``/ok`` answers 200."""

    def __init__(self) -> None:
        self.hanging = 0
        self.release = asyncio.Event()
        app = web.Application()
        app.router.add_post("/hang", self._hang)
        app.router.add_post("/ok", self._ok)
        self.server = TestServer(app, host="127.0.0.1")

    async def _hang(self, request: web.Request) -> web.Response:
        self.hanging += 1
        await self.release.wait()
        return web.Response()

    async def _ok(self, request: web.Request) -> web.Response:
        return web.Response()

    def url(self, path: str) -> str:
        return str(self.server.make_url(path))


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    async with receiver.server:
        try:
            yield receiver
        finally:
            receiver.release.set()


async def _create_sources(emulator: Emulator, session: aiohttp.ClientSession, *names: str) -> None:
    headers = {"Authorization": f"Bearer {emulator.token}"}
    for name in names:
        async with session.post(
            emulator.base_url + "/sources", json={"name": name}, headers=headers
        ) as reply:
            assert reply.status == 201, await reply.text()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("cleared", ["reset", "clear_webhooks then reset"])
async def test_a_reset_cancels_the_webhook_senders_still_running(
    mode: str, cleared: str, receiver: Receiver
) -> None:
    async with serving(mode) as emulator, aiohttp.ClientSession() as session:
        emulator.add_webhook(receiver.url("/hang"))
        await _create_sources(emulator, session, "a", "b", "c")  # one being sent, two queued
        await eventually(lambda: receiver.hanging == 1, "the first delivery reached the receiver")
        before = emulator.deliveries
        assert [d.state for d in before] == ["pending"] * 3
        if cleared != "reset":
            emulator.clear_webhooks()
        emulator.reset()
        assert emulator.deliveries == []
        await emulator.flush_webhooks(timeout=5)  # nothing of the old test to wait for
        emulator.add_webhook(receiver.url("/ok"))
        await _create_sources(emulator, session, "new")
        await emulator.flush_webhooks(timeout=5)  # only the new delivery: the hung one is gone
        assert [(d.url, d.state) for d in emulator.deliveries] == [(receiver.url("/ok"), "delivered")]
        await eventually(lambda: all(d.state == "cancelled" for d in before), "the old deliveries cancelled")
        assert receiver.hanging == 1  # the queued ones were never sent


# --- the clock ----------------------------------------------------------------------------------

CLOCKS = st.one_of(
    st.builds(Clock),
    st.builds(Clock, st.datetimes(timezones=st.just(timezone.utc))),
    st.builds(Clock, st.datetimes()),  # naive: taken as UTC
)


@settings(max_examples=60, deadline=None)
@given(own=st.one_of(st.none(), st.just(T0)), swapped=CLOCKS, moved=st.floats(-1e6, 1e6))
def test_reset_puts_back_the_emulators_own_clock(own: datetime | None, swapped: Clock, moved: float) -> None:
    emulator = Emulator(clock=None if own is None else Clock(own))
    original = emulator.clock
    emulator.clock = swapped
    assert emulator.clock is swapped  # in force until the reset
    swapped.advance(moved)
    original.advance(3600)
    emulator.reset()
    assert emulator.clock is original
    if own is None:
        assert not original.frozen
        assert abs(original.now() - datetime.now(timezone.utc)) < timedelta(minutes=1)
    else:
        assert (original.frozen, original.now()) == (True, own)
    # What the emulator writes follows its own clock again.
    contact = emulator.get_contact(emulator.opt_out("+201000000002"))
    assert contact is not None
    if own is not None:
        assert contact["created_at"] == own.isoformat()


@pytest.mark.parametrize("not_a_clock", [None, "2020-01-01", datetime(2020, 1, 1), 0])
def test_only_a_clock_can_be_assigned(not_a_clock: Any) -> None:
    emulator = Emulator()
    with pytest.raises(TypeError, match=r"clock must be a wacr\.testing\.Clock"):
        emulator.clock = not_a_clock
