"""Fixtures of the tracing tests: the scripted loopback server of the core tests."""

from __future__ import annotations

from tests.core.conftest import TOKEN, MakeTransport, Reply, Scripted, api, make_transport

__all__ = ["TOKEN", "MakeTransport", "Reply", "Scripted", "api", "make_transport"]
