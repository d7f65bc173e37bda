"""Fault injection: make chosen requests fail the way real networks and proxies do."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Literal

__all__ = ["Fault"]

_API_PREFIX = "/api/v2"
_ids = itertools.count(1)

_STATUS_CODES = {
    400: ("BAD_REQUEST", "Bad request"),
    401: ("UNAUTHORIZED", "Unauthenticated"),
    403: ("FORBIDDEN", "Forbidden"),
    404: ("NOT_FOUND", "Not found"),
    408: ("REQUEST_TIMEOUT", "Request timeout"),
    409: ("CONFLICT", "Conflict"),
    422: ("VALIDATION_ERROR", "Validation failed"),
    429: ("RATE_LIMIT_EXCEEDED", "Too many requests"),
    500: ("INTERNAL_ERROR", "Internal server error"),
    502: ("BAD_GATEWAY", "Bad gateway"),
    503: ("SERVICE_UNAVAILABLE", "Service unavailable"),
    504: ("GATEWAY_TIMEOUT", "Gateway timeout"),
}


def default_error(status: int) -> tuple[str, str]:
    """The (code, message) an injected error status answers with when no body is given."""
    return _STATUS_CODES.get(status, ("ERROR" if status >= 400 else "OK", f"HTTP {status}"))


@dataclass
class Fault:
    """A rule that changes how the emulator answers matching API requests.

    ``match`` is ``"[METHOD] PATH_GLOB"``: ``"POST /messages/text"``, ``"/contacts*"`` (any method),
    ``"*"`` (everything). The path is relative to ``/api/v2`` (a full ``/api/v2/...`` path works too)
    and ``*`` in the glob also crosses ``/``. The first matching fault applies; after ``times``
    matches it is removed (``times=None``: it stays until :meth:`Emulator.clear_faults`).

    What it does, in this order:

    - ``delay``: wait that many seconds first.
    - ``drop="before"``: close the connection without an answer; the request is not processed.
    - ``drop="after"``: process the request for real, then close the connection without an
      answer (the server did the work, the client never hears of it).
    - ``status`` / ``json`` / ``body``: answer this instead of the real response. ``json`` is
      serialised; ``body`` (str or bytes) is sent as-is, e.g. truncated JSON, an HTML error
      page or ``b""``. With only ``status``, an error envelope for that status is generated
      (429 adds ``retry_after`` from ``retry_after``). Its ``Content-Type`` is
      ``content_type``, else ``text/html`` for a body starting with ``<``, else
      ``application/json``. ``run_handler=True`` runs the real handler first (its effects stay,
      its answer is discarded).
    - ``headers``: added to whatever is answered (e.g. ``{"Retry-After": "2"}``).
    - ``retry_after``: for a 429, sets both the ``Retry-After`` header and ``details.retry_after``.

    With only ``delay`` and/or ``headers``, the real answer is sent, late and/or with the headers.
    """

    match: str = "*"
    status: int | None = None
    json: Any = None
    body: str | bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str | None = None
    delay: float = 0.0
    drop: Literal["before", "after"] | None = None
    run_handler: bool = False
    retry_after: float | None = None
    times: int | None = 1
    id: int = field(default_factory=lambda: next(_ids))
    _method: str = field(init=False, repr=False, compare=False, default="*")
    _pattern: str = field(init=False, repr=False, compare=False, default="*")

    def __post_init__(self) -> None:
        if self.drop not in (None, "before", "after"):
            raise ValueError("drop must be None, 'before' or 'after'")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1 (or None for no limit)")
        method, _, pattern = self.match.strip().rpartition(" ")
        self._method = method.strip().upper() or "*"
        pattern = pattern or "*"
        if pattern.startswith(_API_PREFIX):
            pattern = pattern[len(_API_PREFIX) :] or "/"
        self._pattern = pattern

    @property
    def replaces_answer(self) -> bool:
        """Whether the fault answers its own status/body instead of the real one."""
        return self.status is not None or self.json is not None or self.body is not None

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to ``method`` and ``path`` (relative to ``/api/v2``)."""
        return (self._method in ("*", method)) and fnmatchcase(path, self._pattern)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready description (for ``GET /_emulator/faults``)."""
        body = self.body.decode("utf-8", "replace") if isinstance(self.body, bytes) else self.body
        return {
            "id": self.id,
            "match": self.match,
            "status": self.status,
            "json": self.json,
            "body": body,
            "headers": dict(self.headers),
            "content_type": self.content_type,
            "delay": self.delay,
            "drop": self.drop,
            "run_handler": self.run_handler,
            "retry_after": self.retry_after,
            "times": self.times,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fault:
        """Build a fault from the JSON of ``POST /_emulator/faults`` (the same field names)."""
        allowed = {
            "match",
            "status",
            "json",
            "body",
            "headers",
            "content_type",
            "delay",
            "drop",
            "run_handler",
            "retry_after",
            "times",
        }
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
        kwargs = dict(data)
        if kwargs.get("headers") is None:
            kwargs.pop("headers", None)
        return cls(**kwargs)
