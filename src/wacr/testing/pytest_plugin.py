"""The ``wacr`` pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:

- ``wacr_emulator``: a started :class:`wacr.testing.Emulator`, reset before each test. It listens
  on a free loopback port (``wacr_emulator.base_url``, token ``wacr_emulator.token``) and serves
  from a background thread, so it works for synchronous tests and for async tests on any event
  loop or async plugin. One server is shared by the session; only its state is per test.
- ``wacr_client``: a :class:`wacr.Client` connected to ``wacr_emulator``, closed after the test;
  for pytest-asyncio, in ``auto`` mode and in ``strict`` mode (where the test needs
  ``@pytest.mark.asyncio``, as every strict-mode async test does). It is opened and closed on the
  event loop the test runs on, whatever its loop scope (``@pytest.mark.asyncio(loop_scope=
  "session")``, ``asyncio_default_test_loop_scope``). Unlike a default ``Client`` it waits at most
  5 s for a ``Retry-After`` (``max_retry_wait=5.0``): a longer one raises ``RateLimitError`` at once
  instead of sleeping in the test. See :func:`client_for`.
- ``wacr_anyio_client``: the same client for anyio's pytest plugin (``@pytest.mark.anyio``, the
  ``asyncio`` backend: the client runs on asyncio). Use it where pytest-asyncio is absent or in
  strict mode. In ``auto`` mode pytest-asyncio takes every async fixture onto its own loop, not
  anyio's, so this fixture raises ``pytest.UsageError`` there: use ``wacr_client`` in an unmarked
  (or ``@pytest.mark.asyncio``) test instead.

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

__all__ = [
    "FIXTURE_MAX_RETRY_WAIT",
    "asyncio_client",
    "client_for",
    "pytest_configure",
    "wacr_anyio_client",
    "wacr_emulator",
]


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


#: The longest ``Retry-After`` the fixtures' client waits out (a default ``Client`` waits up to 60 s).
FIXTURE_MAX_RETRY_WAIT = 5.0


async def client_for(emulator: Emulator) -> AsyncIterator[Client]:
    """The client both client fixtures yield: bound to ``emulator``, closed when the generator ends.

    It is a default :class:`wacr.Client` except for ``max_retry_wait=5.0``: an answer asking to
    wait longer (``Retry-After: 6``, an injected ``Fault(status=429, retry_after=30)``) raises
    ``RateLimitError`` at once, where a production client would sleep up to a minute; a test should
    not. To test the production behaviour, build the client yourself:
    ``wacr.Client(wacr_emulator.token, base_url=wacr_emulator.base_url)``.

    Use it to write a client fixture of your own, e.g. on another loop scope::

        @pytest_asyncio.fixture(loop_scope="session")
        async def session_loop_client(wacr_emulator):
            async for client in client_for(wacr_emulator):
                yield client
    """
    from wacr import Client

    async with Client(
        emulator.token, base_url=emulator.base_url, max_retry_wait=FIXTURE_MAX_RETRY_WAIT
    ) as client:
        yield client


async def asyncio_client(wacr_emulator: Emulator) -> AsyncIterator[Client]:
    """A :class:`wacr.Client` bound to ``wacr_emulator``, closed after the test; works in
    pytest-asyncio's ``auto`` and ``strict`` modes (mark strict-mode tests ``@pytest.mark.asyncio``).

    ``wacr_client`` yields this, made a pytest-asyncio fixture on the test's loop scope by
    :mod:`wacr.testing._pytest_client`.
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


def _pytest_asyncio_auto_mode(config: pytest.Config) -> bool:
    """Whether pytest-asyncio is active in ``auto`` mode (then it runs every async fixture)."""
    asyncio_plugin = sys.modules.get("pytest_asyncio.plugin")
    if asyncio_plugin is None or not config.pluginmanager.is_registered(asyncio_plugin):
        return False
    mode = config.getoption("asyncio_mode", None) or config.getini("asyncio_mode")
    return str(getattr(mode, "value", mode)) == "auto"


@pytest.fixture
async def wacr_anyio_client(
    wacr_emulator: Emulator, anyio_backend: object, request: pytest.FixtureRequest
) -> AsyncIterator[Client]:
    """``wacr_client`` for anyio's plugin (``@pytest.mark.anyio``, backend ``"asyncio"``).

    Not with pytest-asyncio in ``auto`` mode: that plugin would run this fixture on its own loop
    while anyio runs the test on another, so the client's connection would be closed on the wrong
    loop (a leaked socket). It raises ``pytest.UsageError`` there, before making a client.
    """
    if _pytest_asyncio_auto_mode(request.config):
        raise pytest.UsageError(
            "wacr_anyio_client does not work with pytest-asyncio in auto mode: pytest-asyncio runs "
            "every async fixture, this one too, on its own event loop, not on anyio's that runs the "
            "test. Use wacr_client in a test without @pytest.mark.anyio (pytest-asyncio runs it), or "
            "set asyncio_mode = strict to keep anyio tests"
        )
    # anyio_backend is a name or a (name, options) pair.
    name = anyio_backend[0] if isinstance(anyio_backend, tuple) and anyio_backend else anyio_backend
    if name != "asyncio":
        raise pytest.UsageError(f"wacr_anyio_client runs on asyncio; the anyio_backend is {anyio_backend!r}")
    async for client in client_for(wacr_emulator):
        yield client
