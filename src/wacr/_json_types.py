"""How each JSON value becomes a Python value for the converter (``wacr._convert``).

Strict by design: a field takes only its JSON type (``"5"`` is not an int, ``True`` is not a
number), datetimes accept ISO 8601 with ``Z`` or an offset and come back tz-aware, and an enum
keeps a value the spec does not list yet (:class:`~wacr.models._base.OpenEnum`). A mismatch
raises :class:`_WrongType`, which names what the field takes.
"""

from __future__ import annotations

import re
import sys
import types
import typing
from datetime import date, datetime, timezone
from typing import Any

_NONE_TYPE = type(None)


_UNION_TYPES: tuple[Any, ...] = (typing.Union, types.UnionType)


class _WrongType(TypeError):
    """A value of the wrong JSON type; ``expected`` names what the field takes."""

    def __init__(self, expected: str, value: Any) -> None:
        super().__init__(f"expected {expected}, got {_describe_value(value)}")
        self.expected = expected


def _structure_str(value: Any, cl: Any) -> Any:
    if value.__class__ is str:
        return value if cl is str else cl(value)
    raise _WrongType("string", value)


def _structure_int(value: Any, cl: Any) -> Any:
    if value.__class__ is int:
        return value if cl is int else cl(value)
    raise _WrongType("integer", value)


def _structure_float(value: Any, _: Any) -> float:
    cls = value.__class__
    if cls is float:
        return value  # type: ignore[no-any-return]
    if cls is int:
        return float(value)
    raise _WrongType("number", value)


def _structure_bool(value: Any, _: Any) -> bool:
    if value.__class__ is bool:
        return bool(value)
    raise _WrongType("boolean", value)


def _passthrough(value: Any, _: Any) -> Any:
    return value


def _structure_object(value: Any, _: Any) -> Any:
    if value.__class__ is dict:
        return value
    raise _WrongType("object", value)


def _structure_array(value: Any, _: Any) -> Any:
    if value.__class__ is list:
        return value
    raise _WrongType("array", value)


_UTC = timezone.utc


if sys.version_info >= (3, 11):
    _fromisoformat = datetime.fromisoformat
else:  # pragma: no cover - Python 3.10

    def _fromisoformat(text: str) -> datetime:
        # 3.10 rejects "Z", the form the API uses most; the fallback parser handles the rest.
        if text[-1:] in ("Z", "z"):
            text = text[:-1] + "+00:00"
        return datetime.fromisoformat(text)


_ISO_RE = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?P<time>\d{2}(?::\d{2}(?::\d{2})?)?)(?:[.,](?P<frac>\d+))?)?"
    r"\s*(?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?)?"
)


def _parse_datetime_fallback(text: str) -> datetime:
    """Parse the ISO 8601 forms that ``datetime.fromisoformat`` rejects on older Pythons."""
    match = _ISO_RE.fullmatch(text.strip())
    if match is None:
        raise _WrongType("datetime (ISO 8601)", text)
    clock = match["time"] or "00:00:00"
    clock += ":00" * (2 - clock.count(":"))
    frac = match["frac"]
    if frac:
        clock += "." + frac[:6].ljust(6, "0")
    tz = match["tz"]
    if tz is None:
        offset = ""
    elif tz in "Zz":
        offset = "+00:00"
    else:
        digits = tz[1:].replace(":", "")
        offset = f"{tz[0]}{digits[:2]}:{digits[2:4] or '00'}"
    try:
        return _fromisoformat(f"{match['date']}T{clock}{offset}")
    except ValueError:
        raise _WrongType("datetime (ISO 8601)", text) from None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=_UTC)


def _structure_datetime(value: Any, _: Any) -> datetime:
    if value.__class__ is str:
        try:
            parsed = _fromisoformat(value)  # the fast path; C code
        except ValueError:
            parsed = _parse_datetime_fallback(value)
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=_UTC)
    if isinstance(value, datetime):
        return _aware(value)
    raise _WrongType("datetime (ISO 8601)", value)


def _structure_date(value: Any, _: Any) -> date:
    if value.__class__ is str:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return _structure_datetime(value, datetime).date()
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise _WrongType("date (ISO 8601)", value)


def _unstructure_datetime(value: datetime) -> datetime:
    # orjson writes datetimes itself (RFC 3339); only make sure a naive one means UTC.
    return _aware(value)


def _structure_enum(value: Any, cl: Any) -> Any:
    try:
        return cl._value2member_map_[value]  # the documented values: one dict lookup
    except (KeyError, TypeError):
        pass
    try:
        return cl(value)  # OpenEnum builds a pseudo-member for a new server value
    except ValueError:
        raise _WrongType(cl.__name__, value) from None


def _optional_inner(tp: Any) -> Any | None:
    """``X`` for ``X | None`` / ``Optional[X]``, else ``None``."""
    if typing.get_origin(tp) in _UNION_TYPES:
        args = typing.get_args(tp)
        if len(args) == 2 and _NONE_TYPE in args:
            return args[0] if args[1] is _NONE_TYPE else args[1]
    return None


def _native_classes(tp: Any) -> frozenset[type] | None:
    """The classes a union of JSON-native types accepts, or ``None`` for another union."""
    if typing.get_origin(tp) not in _UNION_TYPES:
        return None
    classes: set[type] = set()
    for member in typing.get_args(tp):
        if member is _NONE_TYPE or member in (str, int, float, bool):
            classes.add(member)
        elif _is_any_mapping(member):
            classes.add(dict)
        elif _is_list(member) and typing.get_args(member) in ((), (Any,)):
            classes.add(list)
        else:
            return None
    return frozenset(classes)


_JSON_NAMES = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    dict: "object",
    list: "array",
    _NONE_TYPE: "null",
}


def _is_list(tp: Any) -> bool:
    return tp is list or typing.get_origin(tp) is list


def _is_any_mapping(tp: Any) -> bool:
    if tp is dict:
        return True
    if typing.get_origin(tp) is not dict:
        return False
    args = typing.get_args(tp)
    return len(args) == 2 and args[1] is Any and args[0] in (str, Any)


def _describe_value(value: Any) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "an array"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
