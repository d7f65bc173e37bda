"""``wacr_client`` for pytest-asyncio, registered by :mod:`wacr.testing.pytest_plugin` when that
plugin is active (so importing pytest_asyncio here costs nothing more). It imports nothing of the
client: the fixture's body lives in the plugin module.

pytest-asyncio runs an async fixture on the loop of the fixture's ``loop_scope``, fixed when it is
defined, while the test runs on the loop of its own (``@pytest.mark.asyncio(loop_scope=...)``,
``asyncio_default_test_loop_scope``). A client opened on one loop and closed on another fails (or
leaks its socket), so there is one client fixture per loop scope, and ``wacr_client`` hands the
test the one on the loop the test runs on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, Literal, cast

import pytest
import pytest_asyncio

from wacr.testing.pytest_plugin import asyncio_client

if TYPE_CHECKING:
    from wacr.testing import Emulator

__all__ = ["wacr_client"]

_LoopScope = Literal["function", "class", "module", "package", "session"]
_LOOP_SCOPES: tuple[_LoopScope, ...] = ("function", "class", "module", "package", "session")


def _client_on(loop_scope: _LoopScope) -> Callable[..., Any]:
    # A function of its own per scope: pytest-asyncio records the loop scope on the function.
    async def client(wacr_emulator: Emulator) -> AsyncIterator[object]:  # a wacr.Client
        async for each in asyncio_client(wacr_emulator):
            yield each

    fixture = pytest_asyncio.fixture(client, name=f"_wacr_client_on_{loop_scope}_loop", loop_scope=loop_scope)
    return cast("Callable[..., Any]", fixture)


_wacr_client_on_function_loop = _client_on("function")
_wacr_client_on_class_loop = _client_on("class")
_wacr_client_on_module_loop = _client_on("module")
_wacr_client_on_package_loop = _client_on("package")
_wacr_client_on_session_loop = _client_on("session")


def _test_loop_scope(request: pytest.FixtureRequest) -> _LoopScope:
    """The loop scope pytest-asyncio runs the requesting test in (its rule: the closest
    ``asyncio`` marker's ``loop_scope``, else ``asyncio_default_test_loop_scope``)."""
    marker = request.node.get_closest_marker("asyncio")
    scope = None if marker is None else marker.kwargs.get("loop_scope") or marker.kwargs.get("scope")
    if scope is None:
        try:
            scope = request.config.getini("asyncio_default_test_loop_scope")
        except ValueError:  # a pytest-asyncio without the option: tests run on function loops
            scope = None
    return cast("_LoopScope", scope) if scope in _LOOP_SCOPES else "function"


@pytest.fixture
def wacr_client(request: pytest.FixtureRequest) -> object:
    """A :class:`wacr.Client` bound to ``wacr_emulator``, opened and closed on the event loop the
    test runs on, whatever its loop scope; ``max_retry_wait=5.0`` (see
    :func:`wacr.testing.pytest_plugin.client_for`)."""
    # A wacr.Client (not named here: this module loads nothing of the client, not even for types).
    return request.getfixturevalue(f"_wacr_client_on_{_test_loop_scope(request)}_loop")
