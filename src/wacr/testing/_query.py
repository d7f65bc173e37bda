"""Parsing list queries: pagination, sorting, search, filters, ``include`` and ``fields``.

One :class:`ListSpec` per endpoint says what it allows; :func:`parse_list_query` validates the
query against it (anything unknown -> 422 naming it); :mod:`wacr.testing._listing` runs it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from wacr.testing._clock import isoformat, parse_datetime
from wacr.testing._core import validation_error

__all__ = [
    "ALL_OPERATORS",
    "MESSAGE_OPERATORS",
    "TEMPLATE_OPERATORS",
    "Filter",
    "Getter",
    "Kind",
    "ListQuery",
    "ListSpec",
    "parse_include",
    "parse_list_query",
]

Kind = Literal["int", "str", "datetime", "array", "bool"]
Getter = Callable[[Any], Any]

_FILTER_KEY = re.compile(r"^filter\[([^\]]*)\](?:\[([^\]]*)\])?$")
_DATE_ONLY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# What PHP's FILTER_VALIDATE_INT takes (no `_`, no non-ASCII digits), short enough for `int`.
_INT = re.compile(r"^[+-]?[0-9]{1,30}$")
_OPERATORS = {
    "eq": "eq",
    "=": "eq",
    "gte": "gte",
    ">=": "gte",
    "lte": "lte",
    "<=": "lte",
    "gt": "gt",
    ">": "gt",
    "lt": "lt",
    "<": "lt",
    "ne": "ne",
    "!=": "ne",
    "<>": "ne",
    "like": "like",
    "in": "in",
    "not_in": "not_in",
    "between": "between",
    "null": "null",
}
DEFAULT_PER_PAGE = 15
MAX_PER_PAGE = 100
MAX_PAGE = 2**31 - 1  # what PHP's int and the JSON answer carry with room to spare

#: Every operator (``eq`` is ``filter[field]=value``).
ALL_OPERATORS: frozenset[str] = frozenset(_OPERATORS.values())
#: Messages: exact, ``ne``, ``in``, ``not_in`` (upstream lists no range operators there).
MESSAGE_OPERATORS: frozenset[str] = frozenset({"eq", "ne", "in", "not_in"})
#: Templates: exact, ``like``, ``ne``, ``in``, ``not_in``, ``null``.
TEMPLATE_OPERATORS: frozenset[str] = frozenset({"eq", "like", "ne", "in", "not_in", "null"})


@dataclass(frozen=True)
class ListSpec:
    """What one list endpoint allows."""

    sorts: Mapping[str, Getter]
    search: tuple[Getter, ...]
    filters: Mapping[str, tuple[Kind, Getter]]
    fields: tuple[str, ...]
    includes: frozenset[str] = frozenset()
    # Applied when no `sort` is given, as (getter, descending); empty = stored (insertion) order.
    default_sort: tuple[tuple[Getter, bool], ...] = ()
    # The filter operators this endpoint takes (canonical names, see `_OPERATORS`).
    operators: frozenset[str] = ALL_OPERATORS


@dataclass
class Filter:
    """One parsed ``filter[field][op]=value``."""

    field: str
    op: str
    kind: Kind
    get: Getter
    value: Any


@dataclass
class ListQuery:
    """A validated list query."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    search: str | None = None
    filters: list[Filter] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    fields: list[str] | None = None


def _comma_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _allowed(kind: str, requested: Iterable[str], allowed: Iterable[str]) -> str:
    return (
        f"Requested {kind}(s) `{', '.join(requested)}` are not allowed. "
        f"Allowed {kind}(s) are `{', '.join(allowed)}`."
    )


def _coerce(kind: Kind, name: str, text: str, errors: list[str]) -> Any:
    text = text.strip()
    if kind in ("int", "array"):
        try:
            if not _INT.match(text):
                raise ValueError(text)
            return int(text)
        except ValueError:
            errors.append(f"The filter value for `{name}` must be an integer.")
            return None
    if kind == "datetime":
        # Stored timestamps are ISO strings of one format, so they compare as strings.
        try:
            return isoformat(parse_datetime(text))
        except (ValueError, OverflowError):
            errors.append(f"The filter value for `{name}` must be a valid date.")
            return None
    if kind == "bool":
        flag = _parse_bool(text)
        if flag is None:
            errors.append(f"The filter value for `{name}` must be true or false.")
        return flag
    return text.lower()


class Like:
    """A ``like`` pattern (``%`` any run, ``_`` any one character) that matches anywhere in a text.

    Matched segment by segment, leftmost first, in O(len(text) * len(pattern)): a regex built from
    a hostile pattern (``%a%a%a…``) could backtrack for ages.
    """

    __slots__ = ("segments",)

    def __init__(self, pattern: str) -> None:
        self.segments = [part for part in pattern.split("%") if part]

    def search(self, text: str) -> bool:
        """Whether the pattern occurs in ``text``."""
        position = 0
        for segment in self.segments:
            found = _find(text, segment, position)
            if found < 0:
                return False
            position = found + len(segment)
        return True


def _find(text: str, segment: str, start: int) -> int:
    if "_" not in segment:
        return text.find(segment, start)
    size = len(segment)
    for index in range(start, len(text) - size + 1):
        if all(p == "_" or p == c for p, c in zip(segment, text[index : index + size], strict=True)):
            return index
    return -1


def _parse_bool(text: str) -> bool | None:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes"):
        return True
    if lowered in ("0", "false", "no"):
        return False
    return None


def _parse_filter(name: str, op: str, raw: str, kind: Kind, get: Getter, errors: list[str]) -> Filter | None:
    if op == "null":
        flag = _parse_bool(raw)
        if flag is None:
            errors.append(f"The `null` filter on `{name}` takes true or false.")
            return None
        return Filter(name, op, kind, get, flag)
    if op == "like":
        return Filter(name, op, kind, get, Like(raw.strip().lower()))
    if op == "eq" and "," in raw:
        op = "in"  # Spatie's exact filter treats a comma list as IN.
    if op in ("in", "not_in", "between"):
        values = [_coerce(kind, name, part, errors) for part in _comma_list(raw)]
        if op == "between" and len(values) != 2:
            errors.append(f"The `between` filter on `{name}` takes two comma-separated values.")
            return None
        return Filter(name, op, kind, get, values)
    value = _coerce(kind, name, raw, errors)
    if op == "eq" and kind == "datetime" and value is not None and _DATE_ONLY.match(raw.strip()):
        # An exact date matches the whole day.
        try:
            end = isoformat(parse_datetime(raw) + timedelta(days=1))
        except OverflowError:  # 9999-12-31 has no next day: it runs to the end of time
            return Filter(name, "gte", kind, get, value)
        return Filter(name, "between_open", kind, get, [value, end])
    return Filter(name, op, kind, get, value)


def parse_list_query(query: Mapping[str, str], spec: ListSpec) -> ListQuery:
    """Validate the common list parameters against ``spec``; raises the 422 on any problem."""
    errors: dict[str, list[str]] = {}
    result = ListQuery()

    for key, attribute, minimum, maximum in (
        ("page", "page", 1, MAX_PAGE),
        ("per_page", "per page", 1, MAX_PER_PAGE),
    ):
        raw = query.get(key)
        if raw is None or raw.strip() == "":
            continue
        try:
            if not _INT.match(raw.strip()):
                raise ValueError(raw)
            number = int(raw)
        except ValueError:
            errors[key] = [f"The {attribute} must be an integer."]
            continue
        if number < minimum:
            errors[key] = [f"The {attribute} must be at least {minimum}."]
        elif maximum is not None and number > maximum:
            errors[key] = [f"The {attribute} may not be greater than {maximum}."]
        else:
            setattr(result, key, number)

    sort = query.get("sort")
    if sort:
        unknown = []
        for part in _comma_list(sort):
            name = part.lstrip("-+")
            if name not in spec.sorts:
                unknown.append(name)
            result.sort.append((name, part.startswith("-")))
        if unknown:
            errors["sort"] = [_allowed("sort", unknown, spec.sorts)]

    search = query.get("search")
    if search is None or not search.strip():
        search = query.get("q")
    if search is not None and search.strip():
        result.search = search.strip().lower()

    filter_errors: list[str] = []
    unknown_filters: list[str] = []
    for key, raw in query.items():
        if not key.startswith("filter["):
            continue
        match = _FILTER_KEY.match(key)
        if match is None:
            filter_errors.append(f"Malformed filter parameter `{key}`.")
            continue
        name, op_text = match.group(1), match.group(2)
        if name not in spec.filters:
            unknown_filters.append(name)
            continue
        op = _OPERATORS.get((op_text or "eq").strip().lower())
        if op is None:
            filter_errors.append(f"Unknown filter operator `{op_text}` on `{name}`.")
            continue
        if op not in spec.operators:
            allowed = ", ".join(sorted(spec.operators - {"eq"}))
            filter_errors.append(f"The `{op}` operator is not supported for `{name}` (allowed: {allowed}).")
            continue
        kind, get = spec.filters[name]
        parsed = _parse_filter(name, op, raw, kind, get, filter_errors)
        if parsed is not None:
            result.filters.append(parsed)
    if unknown_filters:
        filter_errors.insert(0, _allowed("filter", unknown_filters, spec.filters))
    if filter_errors:
        errors["filter"] = filter_errors

    include = query.get("include")
    if include:
        result.include = _comma_list(include)
        unknown = [name for name in result.include if name not in spec.includes]
        if unknown:
            errors["include"] = [_allowed("include", unknown, sorted(spec.includes))]

    fields = query.get("fields")
    if fields:
        result.fields = _comma_list(fields)
        unknown = [name for name in result.fields if name not in spec.fields]
        if unknown:
            errors["fields"] = [_allowed("field", unknown, spec.fields)]

    if errors:
        raise validation_error(errors)
    return result


def parse_include(query: Mapping[str, str], allowed: frozenset[str]) -> list[str]:
    """The ``include`` list of a single-resource GET (unknown names -> 422)."""
    include = _comma_list(query.get("include") or "")
    unknown = [name for name in include if name not in allowed]
    if unknown:
        raise validation_error({"include": [_allowed("include", unknown, sorted(allowed))]})
    return include
