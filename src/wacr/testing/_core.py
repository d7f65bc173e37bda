"""Building blocks shared by the emulator's handlers: API errors, results, ids, JSON."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any, Final

import orjson

__all__ = [
    "INT_MAX",
    "INT_MIN",
    "MAX_DEPTH",
    "ApiError",
    "Raw",
    "Result",
    "digits_of",
    "dump_json",
    "json_safe",
    "new_request_id",
    "new_wamid",
    "not_found",
    "rate_limited",
    "validation_error",
]

JSON = Any

#: The range of an integer the emulator stores: a signed 64-bit column (MySQL ``BIGINT``), which
#: is also what the JSON encoder can write. Anything outside is a 422 naming the field.
INT_MIN: Final = -(2**63)
INT_MAX: Final = 2**63 - 1

_NON_DIGITS = re.compile(r"[^0-9]+")


def new_request_id() -> str:
    """A random UUID4 string (what ``str(uuid.uuid4())`` gives, at a fraction of the cost)."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def new_wamid() -> str:
    """A WhatsApp-style message id."""
    return "wamid.HBgL" + os.urandom(16).hex().upper()


def digits_of(phone: str) -> str:
    """The key the API matches contacts, chats and OTPs on: the phone's ASCII digits, without the
    ``00`` international prefix (``+201…``, ``00201…`` and ``201…`` are one number)."""
    digits = _NON_DIGITS.sub("", phone)
    return digits[2:] if digits.startswith("00") else digits


#: Deeper than this, :func:`json_safe` cuts a value off (orjson writes at most 255 levels).
MAX_DEPTH: Final = 200


def json_safe(value: Any, _depth: int = 0) -> Any:
    """``value`` with whatever the JSON encoder refuses made writable: integers outside the
    64-bit range become their decimal text, strings that are not valid UTF-8 (lone surrogates)
    get replacement characters, containers nested deeper than :data:`MAX_DEPTH` become a note,
    other non-JSON objects their ``str``. Only what the emulator echoes or logs goes through it."""
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**64 else str(value)
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "replace").decode("utf-8")
        return value
    if isinstance(value, (Mapping, list, tuple)) and _depth >= MAX_DEPTH:
        return f"[nested deeper than {MAX_DEPTH} levels]"
    if isinstance(value, Mapping):
        return {str(json_safe(key)): json_safe(item, _depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item, _depth + 1) for item in value]
    return str(value)


def dump_json(payload: Any) -> bytes:
    """Serialise an answer; never fails (see :func:`json_safe` for what gets rewritten)."""
    try:
        return orjson.dumps(payload)
    except (TypeError, orjson.JSONEncodeError):
        return orjson.dumps(json_safe(payload))


class ApiError(Exception):
    """An error answer in the documented envelope; raised by handlers, rendered by the server."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
        # Extra top-level keys (Add Comment's documented `errors` object).
        self.extra = extra


def validation_error(details: Mapping[str, list[str]], message: str = "Validation failed") -> ApiError:
    """A 422 ``VALIDATION_ERROR`` with Laravel-style ``{field: [messages]}`` details."""
    return ApiError(422, "VALIDATION_ERROR", message, dict(details))


def not_found(what: str) -> ApiError:
    """A 404 ``NOT_FOUND``, e.g. ``not_found("Contact")`` -> "Contact not found"."""
    return ApiError(404, "NOT_FOUND", f"{what} not found")


def rate_limited(retry_after: int, message: str = "Too many requests. Please try again later.") -> ApiError:
    """A 429 ``RATE_LIMIT_EXCEEDED`` with ``retry_after`` in the details and the header."""
    return ApiError(
        429,
        "RATE_LIMIT_EXCEEDED",
        message,
        {"retry_after": retry_after},
        {"Retry-After": str(retry_after)},
    )


class Result:
    """A success answer: ``data`` and ``message`` go into the standard envelope."""

    __slots__ = ("data", "message", "pagination", "status")

    def __init__(
        self,
        data: JSON,
        message: str,
        status: int = 200,
        pagination: dict[str, Any] | None = None,
    ) -> None:
        self.data = data
        self.message = message
        self.status = status
        self.pagination = pagination


class Raw:
    """A success answer sent as-is, outside the envelope (the Comments endpoints)."""

    __slots__ = ("payload", "status")

    def __init__(self, payload: dict[str, Any], status: int = 200) -> None:
        self.payload = payload
        self.status = status
