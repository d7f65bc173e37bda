"""The per-call options every resource method takes, declared once (``**options``).

``RequestOptions`` are taken by every method; ``BodyOptions`` add ``extra_body`` for the
methods that send a body. They are merged into the request after the arguments were checked
against the spec, by :func:`extras`, the one place that reads them (``Resource._request``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, TypedDict

from wacr._query import key_text
from wacr.errors import ValidationError
from wacr.resources._arguments import INT_MAX, INT_MIN, MAX_DEPTH, NOT_UTF8, beyond_int64, is_utf8

__all__ = ["NOT_UTF8", "BodyOptions", "Extras", "QueryValue", "RequestOptions", "extras", "is_utf8"]

#: What an ``extra_query`` value may be (a bool is sent as ``true``/``false``).
QueryValue = str | int | float | bool


class RequestOptions(TypedDict, total=False):
    """Keyword options of every resource method (all optional).

    ``max_retries`` and ``timeout`` override the client's for this call. The escape hatches,
    for what the spec does not describe yet, are applied after the arguments were checked:
    ``extra_headers`` are sent with the request, ``extra_query`` pairs are added to the query
    (replacing a parameter of the same name).
    """

    max_retries: int | None
    timeout: float | None
    extra_headers: Mapping[str, str] | None
    extra_query: Mapping[str, QueryValue] | None


class BodyOptions(RequestOptions, total=False):
    """:class:`RequestOptions` plus ``extra_body``: fields added to the JSON body as given
    (replacing a field of the same name), e.g. one the server has and the spec not yet."""

    extra_body: Mapping[str, Any] | None


_KEYS = frozenset(RequestOptions.__annotations__)
_BODY_KEYS = frozenset(BodyOptions.__annotations__) | _KEYS


class Extras:
    """The escape hatches of one call, checked: what the transport and the body receive."""

    __slots__ = ("body", "headers", "query")

    def __init__(
        self,
        headers: Mapping[str, str] | None,
        query: list[tuple[str, str]] | None,
        body: dict[str, Any] | None,
    ) -> None:
        self.headers = headers
        self.query = query
        self.body = body

    def params(self, params: list[tuple[str, str]] | None) -> list[tuple[str, str]] | None:
        """``params`` with the extra pairs added, each replacing the pairs of its name."""
        if not self.query:
            return params
        names = {name for name, _ in self.query}
        return [*(pair for pair in params or () if pair[0] not in names), *self.query]


def extras(method: str, options: Mapping[str, Any], *, has_body: bool) -> Extras | None:
    """Check the options of a call (``method`` names it in errors); ``None`` without extras.

    An unknown option is a ``TypeError``, as for any unexpected keyword; a bad extra a
    :class:`~wacr.errors.ValidationError` naming ``extra_<kind>.<key>`` and the rule.
    """
    allowed = _BODY_KEYS if has_body else _KEYS
    for key in options:
        if key not in allowed:
            takes = ", ".join(sorted(allowed))
            raise TypeError(f"{method}: unexpected keyword argument {key!r} (its options: {takes})")
    headers = options.get("extra_headers")
    query = options.get("extra_query")
    body = options.get("extra_body")
    errors: dict[str, list[str]] = {}
    for name, value in (("extra_headers", headers), ("extra_query", query), ("extra_body", body)):
        if value is not None and not isinstance(value, Mapping):
            errors[name] = [f"must be a mapping, not {type(value).__name__}"]
    if errors:
        raise ValidationError(errors=errors)
    if not headers and not query and not body:
        return None
    found = Extras(
        # Header rules (never a credential, no line breaks) are the transport's: wacr._headers.
        headers if headers else None,
        _query(query, errors) if query else None,
        _body(body, errors) if body else None,
    )
    if errors:
        raise ValidationError(errors=errors)
    return found


def _query(query: Mapping[Any, Any], errors: dict[str, list[str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name, value in query.items():
        label = f"extra_query.{key_text(name)}"
        if not isinstance(name, str) or not name:
            errors.setdefault(label, []).append("must be a non-empty string name")
        elif not is_utf8(name):  # the URL would carry something else
            errors.setdefault(label, []).append(_NAME_NOT_UTF8)
        elif value.__class__ is bool:
            out.append((name, "true" if value else "false"))
        elif value.__class__ in (str, int, float):
            problem = beyond_int64(value) if value.__class__ is int else None
            if problem is not None:  # the API's integers are int64 (and str() of 4300 digits raises)
                errors.setdefault(label, []).append(problem)
            elif value.__class__ is float and not math.isfinite(value):
                errors.setdefault(label, []).append("must be a finite number")
            elif not is_utf8(text := str(value)):
                errors.setdefault(label, []).append(NOT_UTF8)
            else:
                out.append((name, text))
        else:
            errors.setdefault(label, []).append(
                f"must be a str, int, float or bool, not {type(value).__name__}"
            )
    return out


def _body(body: Mapping[Any, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in body.items():
        label = f"extra_body.{key_text(name)}"
        if not isinstance(name, str):
            errors.setdefault(label, []).append("must have a string name (JSON object keys are strings)")
            continue
        if not is_utf8(name):
            errors.setdefault(label, []).append(_NAME_NOT_UTF8)
            continue
        try:
            out[str.__str__(name)] = _json(value, label, 0)
        except _NotJSON as exc:
            where = "" if exc.path == label else f", at {exc.path}"
            errors.setdefault(label, []).append(f"cannot be sent as JSON ({exc.problem}{where})")
    return out


_NAME_NOT_UTF8 = "must have a name of valid Unicode text (it has a lone surrogate)"

# What an extra may hold: JSON's own values. Subclasses of str, int and float (a str enum) are
# taken as the body's arguments are (wacr/_validate.py checks by isinstance); anything orjson
# would convert on its own (datetime, UUID, dataclass, plain enum, set) is refused.
_JSON_TYPES = "dict, list, tuple, str, int, float, bool or None"


class _NotJSON(Exception):
    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem


def _json(value: Any, path: str, depth: int) -> Any:
    """``value`` as the JSON it is (mappings as dicts, tuples as lists), or :class:`_NotJSON`
    naming where it is not."""
    if value is None or value is True or value is False:
        return value
    if isinstance(value, str):
        if not is_utf8(value):
            raise _NotJSON(path, "a text with a lone surrogate")
        return value
    if isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            raise _NotJSON(path, "an integer beyond 64 bits")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):  # orjson would send NaN and infinities as null
            raise _NotJSON(path, "NaN or infinity")
        return value
    if not isinstance(value, (Mapping, list, tuple)):
        raise _NotJSON(path, f"{type(value).__name__} is not a JSON value: use {_JSON_TYPES}")
    if depth >= MAX_DEPTH:
        raise _NotJSON(path, f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            at = f"{path}.{key_text(key)}"
            if not isinstance(key, str):
                raise _NotJSON(at, f"a key must be a string, not {type(key).__name__}")
            if not is_utf8(key):
                raise _NotJSON(at, "a key with a lone surrogate")
            out[str.__str__(key)] = _json(item, at, depth + 1)
        return out
    return [_json(item, f"{path}.{index}", depth + 1) for index, item in enumerate(value)]
