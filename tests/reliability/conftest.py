"""Shared helpers of the reliability tests: the emulator, clients aimed at it, loopback odds and ends.

The emulator is the ``wacr_emulator`` fixture of wacr's pytest plugin: one server in a background
thread for the whole session (so that its delays never block the test's event loop), reset before
every test.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable, Iterator

import pytest

from wacr.testing import Emulator

#: The emulator's default token: long enough that a leak of it cannot be a coincidence.
TOKEN = "wacr-reliability-7f1e9c3b5d2a4e6f8091a2b3c4d5e6f7"


@pytest.fixture
def emulator(wacr_emulator: Emulator) -> Emulator:
    """The plugin's emulator, reset, accepting :data:`TOKEN` too."""
    wacr_emulator.add_token(TOKEN)
    return wacr_emulator


@pytest.fixture(scope="module")
def own_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop of the module's own, driven example by example from hypothesis' sync tests."""
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def closed_port() -> int:
    """A loopback port nothing listens on (connecting to it is refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def eventually(check: Callable[[], bool], *, within: float = 10.0, what: str = "condition") -> None:
    """Wait until ``check()`` is true; fail after ``within`` seconds (a bound, never a measurement)."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)
