"""Shared helpers of the reliability tests: the emulator, clients aimed at it, loopback odds and ends.

The emulator is the ``wacr_emulator`` fixture of wacr's pytest plugin: one server in a background
thread for the whole session (so that its delays never block the test's event loop), reset before
every test.
"""

from __future__ import annotations

import asyncio
import pickle
import socket
import time
import traceback
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


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and every exception chained to it (causes and contexts, suppressed or not)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [current.__cause__, current.__context__]


def texts_of(error: BaseException) -> dict[str, str]:
    """Everything a log line, an error tracker or a debugger would show of ``error``."""
    texts = {"traceback": "".join(traceback.format_exception(error))}
    copy = pickle.loads(pickle.dumps(error))
    texts["pickled"] = f"{copy}{copy!r}{vars(copy)!r}"
    for depth, link in enumerate(_chain(error)):
        name = f"{depth}:{type(link).__name__}"
        texts[f"{name} str"] = str(link)
        texts[f"{name} repr"] = repr(link)
        texts[f"{name} args"] = repr(link.args)
        texts[f"{name} attributes"] = repr(vars(link))
    return texts
