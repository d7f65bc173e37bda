"""The ``wacr`` pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:

- ``wacr_emulator``: a started :class:`wacr.testing.Emulator`, reset before each test. It listens
  on a free loopback port (``wacr_emulator.base_url``, token ``wacr_emulator.token``) and serves
  from a background thread, so it works for synchronous tests and for async tests on any event
  loop or async plugin. One server is shared by the session; only its state is per test.
- ``wacr_client``: a :class:`wacr.Client` connected to ``wacr_emulator``, closed after the test;
  for pytest-asyncio, in ``auto`` mode and in ``strict`` mode (where the test needs
  ``@pytest.mark.asyncio``, as every strict-mode async test does).
- ``wacr_anyio_client``: the same client for anyio's pytest plugin (``@pytest.mark.anyio``, the
  ``asyncio`` backend: the client runs on asyncio). Use it where pytest-asyncio is absent or in
  strict mode; in ``auto`` mode pytest-asyncio takes every async fixture, so use ``wacr_client``.

Usage::

    # pyproject.toml: [tool.pytest.ini_options] asyncio_mode = "auto"   (or "strict", see below)
    async def test_welcome(wacr_client, wacr_emulator):
        await wacr_client.messages.send_text(phone="+201000000009", message="Welcome!")
        assert wacr_emulator.outbox[-1].text == "Welcome!"

    # strict mode: mark the test
    @pytest.mark.asyncio
    async def test_welcome_strict(wacr_client, wacr_emulator): ...

    # anyio
    @pytest.fixture
    def anyio_backend():
        return "asyncio"

    @pytest.mark.anyio
    async def test_welcome_anyio(wacr_anyio_client, wacr_emulator): ...

    # no async at all
    def test_account(wacr_emulator):
        assert wacr_emulator.base_url.startswith("http://127.0.0.1:")

This module is imported by every pytest run in an environment where wacr is installed, so it
imports neither aiohttp nor the emulator nor the client until a fixture runs
(``tests/plugin/test_plugin_modes.py`` holds it to that).
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from wacr import Client
    from wacr.testing import Emulator

__all__ = ["asyncio_client", "client_for", "pytest_configure", "wacr_anyio_client", "wacr_emulator"]


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


async def client_for(emulator: Emulator) -> AsyncIterator[Client]:
    """The client both client fixtures yield: bound to ``emulator``, retries on with short waits."""
    from wacr import Client

    async with Client(emulator.token, base_url=emulator.base_url, max_retry_wait=5.0) as client:
        yield client


async def asyncio_client(wacr_emulator: Emulator) -> AsyncIterator[Client]:
    """A :class:`wacr.Client` bound to ``wacr_emulator``, closed after the test; works in
    pytest-asyncio's ``auto`` and ``strict`` modes (mark strict-mode tests ``@pytest.mark.asyncio``).

    ``wacr_client`` is this, made a pytest-asyncio fixture by :mod:`wacr.testing._pytest_client`.
    """
    async for client in client_for(wacr_emulator):
        yield client


def pytest_configure(config: pytest.Config) -> None:
    """Register ``wacr_client``: pytest-asyncio's fixture when that plugin is active, else one
    that says what is missing (imported here, not above: the plugin is loaded by then)."""
    # Registered as "asyncio" by its entry point, or by module name with -p pytest_asyncio.plugin.
    asyncio_plugin = sys.modules.get("pytest_asyncio.plugin")
    if asyncio_plugin is not None and config.pluginmanager.is_registered(asyncio_plugin):
        from wacr.testing import _pytest_client

        config.pluginmanager.register(_pytest_client, "wacr-client")
    else:
        config.pluginmanager.register(_WithoutPytestAsyncio(), "wacr-client")


class _WithoutPytestAsyncio:
    @pytest.fixture
    def wacr_client(self) -> None:
        """Needs pytest-asyncio (or use ``wacr_anyio_client``)."""
        raise pytest.UsageError(
            "the wacr_client fixture needs pytest-asyncio (pip install pytest-asyncio); "
            "with anyio, use wacr_anyio_client"
        )


@pytest.fixture
async def wacr_anyio_client(wacr_emulator: Emulator, anyio_backend: object) -> AsyncIterator[Client]:
    """``wacr_client`` for anyio's plugin (``@pytest.mark.anyio``, backend ``"asyncio"``)."""
    # anyio_backend is a name or a (name, options) pair.
    name = anyio_backend[0] if isinstance(anyio_backend, tuple) and anyio_backend else anyio_backend
    if name != "asyncio":
        raise pytest.UsageError(f"wacr_anyio_client runs on asyncio; the anyio_backend is {anyio_backend!r}")
    async for client in client_for(wacr_emulator):
        yield client
