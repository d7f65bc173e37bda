"""What a handler gets: the caller's tenant, the parsed request and the emulator's shared parts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from wacr.testing._core import Raw, Result
from wacr.testing._log import SentMessage
from wacr.testing._records import Token
from wacr.testing._state import State, Tenant

__all__ = ["Ctx", "Handler", "Route"]

T = TypeVar("T")


@dataclass(slots=True)
class Ctx:
    """One API call being handled."""

    state: State
    tenant: Tenant
    token: Token
    body: dict[str, Any]
    query: Mapping[str, str]
    params: dict[str, str]
    now: datetime
    stamp: str  # `now` in the API's timestamp format
    outbox: list[SentMessage]

    def lookup(self, table: Mapping[int, T], name: str = "id") -> T | None:
        """The row of ``table`` named by an integer path parameter (None: answer 404)."""
        raw = self.params[name]
        # ASCII digits only (`str.isdigit` also takes "²", which `int` refuses).
        return table.get(int(raw)) if raw.isascii() and raw.isdigit() and len(raw) < 20 else None


Handler = Callable[[Ctx], "Result | Raw"]


@dataclass(frozen=True, slots=True)
class Route:
    """One operation: method, path template (``/contacts/{id}``), scope (None: any token)."""

    method: str
    path: str
    scope: str | None
    handler: Handler
