"""``wacr_client`` for pytest-asyncio, registered by :mod:`wacr.testing.pytest_plugin` when that
plugin is active (so importing pytest_asyncio here costs nothing more)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest_asyncio

from wacr.testing.pytest_plugin import client_for

if TYPE_CHECKING:
    from wacr import Client
    from wacr.testing import Emulator

__all__ = ["wacr_client"]


@pytest_asyncio.fixture
async def wacr_client(wacr_emulator: Emulator) -> AsyncIterator[Client]:
    """A :class:`wacr.Client` bound to ``wacr_emulator``, closed after the test; works in
    pytest-asyncio's ``auto`` and ``strict`` modes (mark strict-mode tests ``@pytest.mark.asyncio``)."""
    async for client in client_for(wacr_emulator):
        yield client
