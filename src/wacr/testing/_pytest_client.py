"""``wacr_client`` for pytest-asyncio, registered by :mod:`wacr.testing.pytest_plugin` when that
plugin is active (so importing pytest_asyncio here costs nothing more). It imports nothing of the
client: the fixture's body lives in the plugin module."""

from __future__ import annotations

import pytest_asyncio

from wacr.testing.pytest_plugin import asyncio_client

__all__ = ["wacr_client"]

wacr_client = pytest_asyncio.fixture(asyncio_client, name="wacr_client")
