"""The ``wacr`` pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:

- ``wacr_emulator``: a started :class:`wacr.testing.Emulator`, reset before each test. It listens
  on a free loopback port (``wacr_emulator.base_url``, token ``wacr_emulator.token``) and serves
  from a background thread, so it works for synchronous tests and for async tests on any event
  loop or async plugin. One server is shared by the session; only its state is per test.
- ``wacr_client``: a :class:`wacr.Client` connected to ``wacr_emulator`` (async tests, with
  pytest-asyncio installed), closed after the test.

This module is imported by every pytest run in an environment where wacr is installed, so it
imports nothing heavy until a fixture is used.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from wacr import Client
    from wacr.testing import Emulator

__all__ = ["wacr_client", "wacr_emulator"]


@pytest.fixture(scope="session")
def _wacr_emulator_server() -> Iterator[Emulator]:
    from wacr.testing import Emulator

    emulator = Emulator()
    emulator.start_in_thread()
    try:
        yield emulator
    finally:
        emulator.stop_thread()


@pytest.fixture
def wacr_emulator(_wacr_emulator_server: Emulator) -> Iterator[Emulator]:
    """A started emulator in its seeded state (tenant 1, token ``test-token`` with every scope).

    Configure it in the test (``wacr_emulator.set_rate_limit(5)``, ``.inject(...)``,
    ``.clock.advance(...)``); the next test gets a fresh state.
    """
    _wacr_emulator_server.reset()
    yield _wacr_emulator_server
    _wacr_emulator_server.clear_faults()  # a leftover fault must not hit a later fixture user


try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - pytest-asyncio is how async fixtures run

    @pytest.fixture
    def wacr_client(wacr_emulator: Emulator) -> Client:
        """Needs pytest-asyncio: ``pip install pytest-asyncio``."""
        raise pytest.UsageError("the wacr_client fixture needs pytest-asyncio (pip install pytest-asyncio)")

else:

    @pytest_asyncio.fixture
    async def wacr_client(wacr_emulator: Emulator) -> AsyncIterator[Client]:  # type: ignore[misc]
        """A :class:`wacr.Client` bound to ``wacr_emulator``; retries stay on with short waits."""
        from wacr import Client

        async with Client(wacr_emulator.token, base_url=wacr_emulator.base_url, max_retry_wait=5.0) as client:
            yield client
