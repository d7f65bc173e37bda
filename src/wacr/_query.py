"""The common list arguments -> query parameters (``page``, ``sort``, ``filter[field][op]``...)."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence, Set
from datetime import date, datetime
from typing import Any

from wacr.errors import ValidationError

__all__ = ["FILTER_OPERATORS", "LIST_OPERATORS", "LIST_PARAMETERS", "build_query", "key_text"]

#: Operators a filter may use: ``filters={"created_at": {"gte": "2026-01-01"}}``.
FILTER_OPERATORS = frozenset({"gte", "lte", "gt", "lt", "ne", "like", "in", "not_in", "between", "null"})
#: The operators whose value is a comma list (a sequence is joined); every other takes one value.
LIST_OPERATORS = frozenset({"in", "not_in", "between"})
#: The arguments that are comma lists (typed ``str | Sequence[str]`` below); every other common
#: argument takes one value.
LIST_PARAMETERS = frozenset({"sort", "include", "fields"})


def build_query(
    *,
    page: int | None = None,
    per_page: int | None = None,
    sort: str | Sequence[str] | None = None,
    search: str | None = None,
    q: str | None = None,
    filters: Mapping[str, Any] | None = None,
    include: str | Sequence[str] | None = None,
    fields: str | Sequence[str] | None = None,
    **extra: Any,
) -> list[tuple[str, str]]:
    """Turn list arguments into ``(name, value)`` query pairs, in a stable order.

    ``sort``, ``include`` and ``fields`` take a string or a sequence of strings (joined with
    commas; ``"-created_at"`` sorts descending). ``filters`` maps a field to a value, a
    sequence (comma list) or ``{operator: value}``, giving ``filter[field]=v`` and
    ``filter[field][op]=v``; booleans become ``true``/``false``, dates and datetimes ISO 8601,
    an enum member its value. ``page``, ``per_page``, ``search`` and ``q`` take one value. Other
    keyword arguments (an operation's own query parameters) are passed the same way as filters.
    ``None`` means "not given". A bad filter raises :class:`~wacr.errors.ValidationError`
    (``status=None``) before any request is made. The API's own rules (a list only for
    :data:`LIST_PARAMETERS` and :data:`LIST_OPERATORS`, each value of its parameter's type) are
    held by ``resources/_arguments.py``, which calls this.
    """
    pairs: list[tuple[str, str]] = []
    errors: dict[str, list[str]] = {}
    named = {"page": page, "per_page": per_page, "sort": sort, "search": search, "q": q}
    for name, value in named.items():
        _add(pairs, errors, name, name, value, joins=name in LIST_PARAMETERS)
    if filters:
        if not isinstance(filters, Mapping):
            errors["filters"] = ["must be a mapping of field names to values"]
        else:
            for field, value in filters.items():
                _add_filter(pairs, errors, field, value)
    _add(pairs, errors, "include", "include", include)
    _add(pairs, errors, "fields", "fields", fields)
    for name, value in extra.items():
        _add(pairs, errors, name, name, value)
    if errors:
        raise ValidationError(errors=errors)
    return pairs


def _add(
    pairs: list[tuple[str, str]],
    errors: dict[str, list[str]],
    key: str,
    label: str,
    value: Any,
    *,
    joins: bool = True,
) -> None:
    if value is None:
        return
    if not joins and _is_sequence(value):
        errors.setdefault(label, []).append(f"takes a single value, not {type(value).__name__}")
        return
    try:
        pairs.append((key, _text(value)))
    except ValueError as exc:
        errors.setdefault(label, []).append(str(exc))


def _add_filter(pairs: list[tuple[str, str]], errors: dict[str, list[str]], field: Any, value: Any) -> None:
    label = f"filters.{key_text(field)}"
    if not isinstance(field, str) or not field or any(c in field for c in "[]&=#"):
        errors.setdefault(label, []).append("is not a valid field name")
        return
    if not isinstance(value, Mapping):
        _add(pairs, errors, f"filter[{field}]", label, value)
        return
    for op, operand in value.items():
        if op not in FILTER_OPERATORS:
            allowed = ", ".join(sorted(FILTER_OPERATORS))
            shown = repr(op) if isinstance(op, str) else key_text(op)
            errors.setdefault(label, []).append(f"unknown operator {shown} (use one of: {allowed})")
            continue
        if op == "between" and (_is_sequence(operand) and len(operand) != 2):
            errors.setdefault(label, []).append("between takes exactly two values")
            continue
        if _is_sequence(operand) and op not in LIST_OPERATORS:
            errors.setdefault(label, []).append(f"operator {op!r} takes a single value")
            continue
        _add(pairs, errors, f"filter[{field}][{op}]", label, operand)


def _is_sequence(value: Any) -> bool:
    return isinstance(value, (list, tuple, Set))


def _text(value: Any) -> str:
    """One query value as text; a sequence becomes a comma list."""
    if _is_sequence(value):
        items = sorted(value, key=_scalar) if isinstance(value, Set) else value  # by what is sent
        if not items:
            raise ValueError("must not be an empty list")
        return ",".join(_scalar(item) for item in items)
    return _scalar(value)


def _scalar(value: Any) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return str.__str__(value)  # a subclass's own __str__ is not the value
    if isinstance(value, int):
        if not -_LONGEST_INT < value < _LONGEST_INT:  # str() of 4300 digits raises
            raise ValueError("is an integer too large to send")
        return int.__repr__(value)
    if isinstance(value, float):
        if not math.isfinite(value):  # "nan" and "inf" are no value of any parameter
            raise ValueError("must be a finite number")
        return float.__repr__(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if value is None:
        raise ValueError("must not contain null")
    raise ValueError(f"cannot be sent as a query value ({type(value).__name__})")


# Far beyond any integer the API reads (int64), far below what str() refuses to write.
_LONGEST_INT = 10**100


def key_text(key: Any) -> str:
    """A mapping key as text for an error's field path: its ``str()``, but an int's digits only
    when short (``str()`` of a huge int raises), a string's own text (not a subclass's) with a
    lone surrogate escaped (else the error could not be written to a log)."""
    if isinstance(key, str):
        try:
            key.encode()
        except UnicodeEncodeError:
            return key.encode("utf-8", "backslashreplace").decode()
        return str.__str__(key)
    if isinstance(key, int) and not isinstance(key, bool):
        return int.__repr__(key) if -_LONGEST_INT < key < _LONGEST_INT else "<int>"
    try:
        return str(key)
    except Exception:  # another object's __str__ may raise
        return f"<{type(key).__name__}>"
