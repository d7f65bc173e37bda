"""Matching a request to its operation, the way Laravel's router does, and reading PHP-style input."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

from wacr.testing._api import ROUTES
from wacr.testing._context import Route

__all__ = ["ROUTER", "Router", "php_input"]

_QUERY_KEY: Final = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])+)$")
_QUERY_PART: Final = re.compile(r"\[([^\[\]]*)\]")
_MAX_QUERY_DEPTH: Final = 32  # PHP's max_input_nesting_level is 64; nobody needs more than this


class Router:
    """Laravel-like matching: static paths first, then templates; 405 when only the method is wrong."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self._static: dict[str, dict[str, Route]] = {}
        self._dynamic: list[tuple[re.Pattern[str], dict[str, Route]]] = []
        patterns: dict[str, dict[str, Route]] = {}
        for route in routes:
            if "{" in route.path:
                patterns.setdefault(route.path, {})[route.method] = route
            else:
                self._static.setdefault(route.path, {})[route.method] = route
        for path, methods in patterns.items():
            regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)
            self._dynamic.append((re.compile(f"^{regex}$"), methods))

    def resolve(self, method: str, path: str) -> tuple[Route | None, dict[str, str], list[str]]:
        """(route, path params, allowed methods of the path when the method did not match)."""
        allowed: list[str] = []
        methods = self._static.get(path)
        if methods is not None:
            route = methods.get(method)
            if route is not None:
                return route, {}, []
            allowed.extend(methods)
        for regex, methods in self._dynamic:
            match = regex.match(path)
            if match is None:
                continue
            route = methods.get(method)
            if route is not None:
                return route, match.groupdict(), []
            allowed.extend(methods)
        return None, {}, sorted(set(allowed))


ROUTER: Final = Router(ROUTES)


def php_input(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Query-string pairs as PHP (and so Laravel) reads them: ``a[b]=1`` nests, ``a[]=1&a[]=2``
    makes a list, a repeated plain key keeps its last value. Values stay strings."""
    root: dict[str, Any] = {}
    next_index: dict[int, int] = {}  # id(node) -> the index `[]` appends at (PHP: max + 1)
    created: list[dict[str, Any]] = []
    for key, value in pairs:
        match = _QUERY_KEY.match(key)
        if match is None:
            root[key] = value
            continue
        path = [match.group(1), *_QUERY_PART.findall(match.group(2))][:_MAX_QUERY_DEPTH]
        node = root
        for index, part in enumerate(path):
            if part == "":
                part = str(next_index.get(id(node), 0))
            if part.isascii() and part.isdigit() and len(part) < 10:
                next_index[id(node)] = max(next_index.get(id(node), 0), int(part) + 1)
            if index == len(path) - 1:
                node[part] = value
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = node[part] = {}
                    created.append(child)  # alive until the end: its id keys `next_index`
                node = child
    return {key: _php_lists(value) for key, value in root.items()}


def _php_lists(value: Any) -> Any:
    # A PHP array with the keys 0..n-1 in order is a JSON list.
    if not isinstance(value, dict):
        return value
    items = {key: _php_lists(item) for key, item in value.items()}
    if list(items) == [str(n) for n in range(len(items))]:
        return list(items.values())
    return items
