"""Running a parsed list query: filter, search, sort and slice one page, and ``fields``.

With no filter, search or explicit sort :func:`run_list` slices the stored order directly, so
paging through 100,000 contacts costs O(per_page) per request.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from wacr.testing._query import Filter, Getter, ListQuery, ListSpec

__all__ = ["Page", "pagination", "project", "run_list"]


@dataclass
class Page:
    """One page of items plus the ``meta.pagination`` object."""

    items: list[Any]
    pagination: dict[str, Any]


def _compare(op: str, have: Any, want: Any) -> bool:
    # SQL semantics: a NULL column matches no comparison (only the `null` operator).
    if have is None:
        return False
    if op == "eq":
        return bool(have == want)
    if op == "ne":
        return bool(have != want)
    if op == "gt":
        return bool(have > want)
    if op == "gte":
        return bool(have >= want)
    if op == "lt":
        return bool(have < want)
    if op == "lte":
        return bool(have <= want)
    if op == "in":
        return have in want
    if op == "not_in":
        return have not in want
    if op == "between":
        return bool(want[0] <= have <= want[1])
    if op == "between_open":
        return bool(want[0] <= have < want[1])
    if op == "like":
        return bool(want.search(str(have).lower()))
    return False


def _matches(item: Any, flt: Filter) -> bool:
    have = flt.get(item)
    if flt.op == "null":
        empty = have is None or have == []
        return bool(empty == flt.value)
    if flt.kind == "array":
        # JSON containment: `eq`/`in` and the comparisons hold when one member matches, `ne`/`not_in`
        # when none is the value (the spec's contacts_list says so).
        members = have or ()
        if flt.op in ("eq", "in", "ne", "not_in"):
            values = flt.value if isinstance(flt.value, list) else [flt.value]
            found = any(value in members for value in values)
            return found if flt.op in ("eq", "in") else not found
        return any(_compare(flt.op, member, flt.value) for member in members)
    if flt.kind == "str" and isinstance(have, str):
        have = have.lower()  # MySQL's default collation compares case-insensitively.
    return _compare(flt.op, have, flt.value)


def _sort_key(get: Getter) -> Callable[[Any], tuple[bool, Any]]:
    def key(item: Any) -> tuple[bool, Any]:
        value = get(item)
        if isinstance(value, str):
            value = value.lower()
        # NULLs first in ascending order, as MySQL does.
        return (value is not None, value if value is not None else 0)

    return key


def pagination(page: int, per_page: int, total: int, count: int) -> dict[str, Any]:
    """The upstream ``meta.pagination`` object; ``count`` is the number of items on this page and
    ``total_pages`` is at least 1, as Laravel's ``lastPage()``."""
    total_pages = max(1, math.ceil(total / per_page))
    return {
        "total": total,
        "count": count,
        "per_page": per_page,
        "current_page": page,
        "total_pages": total_pages,
        "has_more": page < total_pages,
    }


def run_list(items: Sequence[Any], query: ListQuery, spec: ListSpec, *, newest_first: bool = False) -> Page:
    """Filter, search, sort and slice ``items`` (stored in insertion order).

    ``newest_first`` says that the stored order reversed already equals the default sort, so the
    fast path can slice from the end instead of sorting.
    """
    start = (query.page - 1) * query.per_page
    sort = [(spec.sorts[name], descending) for name, descending in query.sort] or list(spec.default_sort)
    if not query.filters and query.search is None and not query.sort and (not sort or newest_first):
        total = len(items)
        if newest_first:
            stop_index = total - start
            chunk = list(items[max(0, stop_index - query.per_page) : max(0, stop_index)])
            chunk.reverse()
        else:
            chunk = list(items[start : start + query.per_page])
        return Page(chunk, pagination(query.page, query.per_page, total, len(chunk)))

    selected: list[Any] = list(items)
    for flt in query.filters:
        selected = [item for item in selected if _matches(item, flt)]
    if query.search is not None:
        term = query.search
        getters = spec.search
        selected = [
            item
            for item in selected
            if any((value := get(item)) is not None and term in str(value).lower() for get in getters)
        ]
    for get, descending in reversed(sort):
        selected.sort(key=_sort_key(get), reverse=descending)
    chunk = selected[start : start + query.per_page]
    return Page(chunk, pagination(query.page, query.per_page, len(selected), len(chunk)))


def project(
    resource: dict[str, Any], fields: list[str] | None, always: frozenset[str] = frozenset({"id"})
) -> dict[str, Any]:
    """Keep only the requested ``fields`` and the ``always`` included ones (``id`` by default)."""
    if fields is None:
        return resource
    return {key: value for key, value in resource.items() if key in always or key in fields}
