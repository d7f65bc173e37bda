"""Fault injection: make chosen requests fail the way real networks and proxies do."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Literal

import orjson

__all__ = ["Fault"]

_API_PREFIX = "/api/v2"
_ids = itertools.count(1)
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # what an HTTP header may not carry

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


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check(ok: bool, option: str, rule: str, value: object) -> None:
    if not ok:
        raise TypeError(f"Fault {option} must be {rule}, got {type(value).__name__} {value!r:.80}")


def _check_line(value: str, option: str) -> None:
    if _CONTROLS.search(value):
        raise ValueError(
            f"Fault {option} must hold no control character but tab (it is sent as a header), "
            f"got {value!r:.80}"
        )


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
      serialised as it is (orjson: string keys, integers within 64 bits; ``None`` means no
      ``json``, so a JSON ``null`` answer is ``body="null"``); ``body`` (str or bytes) is sent
      as-is, e.g. truncated JSON, an HTML error page or ``b""``. With only ``status``, an error
      envelope for that status is generated (429 adds ``retry_after`` from ``retry_after``).
      Its ``Content-Type`` is ``content_type``, else ``text/html`` for a body starting with ``<``, else
      ``application/json``. ``run_handler=True`` runs the real handler first (its effects stay,
      its answer is discarded).
    - ``headers``: added to whatever is answered (e.g. ``{"Retry-After": "2"}``).
    - ``retry_after``: for a 429, sets both the ``Retry-After`` header and ``details.retry_after``.

    With only ``delay`` and/or ``headers``, the real answer is sent, late and/or with the headers.

    Every option is checked when the fault is made (by :meth:`Emulator.inject` too): a wrong type
    raises ``TypeError`` and a value outside its rule ``ValueError``, both naming the option
    (``status`` is an int from 200 to 599, ``delay`` and ``retry_after`` finite seconds >= 0,
    ``times`` an int >= 1, ``headers`` header names to str, ``json`` JSON-serialisable...).
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
        # Checked here, where the test gives them: a bad option found by the request handler would
        # only show as a 500 the test did not ask for.
        _check(isinstance(self.match, str), "match", "a string such as 'POST /messages/text'", self.match)
        if self.status is not None:
            _check(_is_int(self.status), "status", "an int HTTP status (or None)", self.status)
            if not 200 <= self.status <= 599:
                raise ValueError(f"Fault status must be an HTTP status from 200 to 599, got {self.status}")
        if self.json is not None:
            try:
                orjson.dumps(self.json)
            except (TypeError, orjson.JSONEncodeError) as exc:
                raise TypeError(f"Fault json must be JSON-serialisable: {exc}") from None
        body = self.body
        _check(body is None or isinstance(body, (str, bytes)), "body", "str, bytes or None", body)
        _check(isinstance(self.headers, Mapping), "headers", "a mapping of header names to str", self.headers)
        for name, value in self.headers.items():
            if not (isinstance(name, str) and _TOKEN.fullmatch(name)):
                raise ValueError(f"Fault headers must have HTTP header names (RFC 9110 tokens), got {name!r}")
            _check(isinstance(value, str), f"headers[{name!r}]", "a str", value)
            _check_line(value, f"headers[{name!r}]")
        ctype = self.content_type
        _check(ctype is None or isinstance(ctype, str), "content_type", "a str or None", ctype)
        if ctype is not None:
            _check_line(ctype, "content_type")
        _check(_is_number(self.delay), "delay", "a number of seconds", self.delay)
        if not (math.isfinite(self.delay) and self.delay >= 0):
            raise ValueError(f"Fault delay must be a finite number of seconds >= 0, got {self.delay!r}")
        if self.drop not in (None, "before", "after"):
            raise ValueError(f"Fault drop must be None, 'before' or 'after', got {self.drop!r}")
        _check(isinstance(self.run_handler, bool), "run_handler", "a bool", self.run_handler)
        if self.retry_after is not None:
            rule = "a number of seconds (or None)"
            _check(_is_number(self.retry_after), "retry_after", rule, self.retry_after)
            if not (math.isfinite(self.retry_after) and self.retry_after >= 0):
                raise ValueError(
                    f"Fault retry_after must be a finite number of seconds >= 0, got {self.retry_after!r}"
                )
        if self.times is not None:
            _check(_is_int(self.times), "times", "an int (or None for no limit)", self.times)
            if self.times < 1:
                raise ValueError(f"Fault times must be at least 1 (or None for no limit), got {self.times}")
        _check(_is_int(self.id), "id", "an int", self.id)
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
